"""The registry: names, clashes, unknown names, isolation, self-registration."""

from __future__ import annotations

from typing import Any

import pytest
from mimesis import Field

import document_providers
import journey_providers
from datagen import (
    DOCUMENT_PROVIDERS,
    JOURNEY_PROVIDERS,
    DocumentProvider,
    JourneyProvider,
    ProviderError,
    Registry,
    RegistryError,
    UnknownName,
)


@pytest.fixture
def widgets() -> Registry[str]:
    return Registry("widget", "datagen.tests.no_such_group")


def test_add_and_get(widgets):
    widgets.add("gear", "a gear", origin="tests.a")
    widgets.add("cog", "a cog", origin="tests.b")
    assert widgets.get("gear") == widgets["gear"] == "a gear"
    assert list(widgets) == ["cog", "gear"] and len(widgets) == 2
    assert "cog" in widgets and "sprocket" not in widgets
    assert widgets.origin("cog") == "tests.b"


def test_two_items_with_one_name_name_both_origins(widgets):
    widgets.add("gear", "a gear", origin="tests.first")
    with pytest.raises(RegistryError) as raised:
        widgets.add("gear", "another gear", origin="plugin other:Gear")
    assert str(raised.value) == (
        "two widgets are named 'gear': tests.first and plugin other:Gear"
    )
    assert widgets.get("gear") == "a gear"  # the first one stays


def test_adding_the_same_item_again_is_harmless(widgets):
    item = object()
    widgets.add("same", item, origin="tests.a")
    widgets.add("same", item, origin="tests.a")
    assert widgets.get("same") is item


def test_unknown_name_lists_what_exists(widgets):
    widgets.add("gear", 1, origin="x")
    widgets.add("cog", 2, origin="x")
    with pytest.raises(UnknownName) as raised:
        widgets.get("sprocket")
    error = raised.value
    assert (error.kind, error.name, error.available) == (
        "widget",
        "sprocket",
        ["cog", "gear"],
    )
    assert str(error) == "unknown widget 'sprocket' (available: cog, gear)"
    with pytest.raises(UnknownName, match=r"\(available: none\)"):
        Registry("thing", "datagen.tests.none").get("x")


def test_isolated_restores_the_registry(widgets):
    widgets.add("gear", 1, origin="x")
    with widgets.isolated() as inside:
        inside.add("temporary", 2, origin="y")
        assert "temporary" in widgets
    assert list(widgets) == ["gear"]


def test_a_document_provider_registers_itself(isolated_registries):
    class Invoice(DocumentProvider):
        name = "test_invoice"
        description = "An invoice."

        def create_schema(self, _: Field) -> dict[str, Any]:
            return {"id": self.uuid()}

    assert DOCUMENT_PROVIDERS.get("test_invoice") is Invoice
    assert document_providers.document_type_mapping["test_invoice"] is Invoice
    assert DOCUMENT_PROVIDERS.origin("test_invoice") == __name__


def test_registration_ends_with_isolation():
    assert "test_invoice" not in DOCUMENT_PROVIDERS


def test_two_document_providers_with_one_name_clash(isolated_registries):
    class First(DocumentProvider):
        name = "clashing"

    with pytest.raises(RegistryError, match="two document providers are named"):

        class Second(DocumentProvider):
            name = "clashing"


def test_a_built_in_name_cannot_be_taken(isolated_registries):
    with pytest.raises(RegistryError) as raised:

        class Impostor(DocumentProvider):
            name = "customer"

    message = str(raised.value)
    assert "document_providers.customer" in message and __name__ in message


def test_two_journey_providers_with_one_name_clash(isolated_registries):
    with pytest.raises(RegistryError, match="journey_providers.starfleet and tests"):

        class Starfleet(JourneyProvider):
            name = "starfleet"


def test_a_provider_without_a_name_is_refused(isolated_registries):
    with pytest.raises(ProviderError, match="NoName has no name"):

        class NoName(DocumentProvider):
            pass

    class Base(DocumentProvider, abstract=True):
        """An abstract base needs no name and is not registered."""

    assert Base not in DOCUMENT_PROVIDERS.values()


def test_the_original_mappings_are_the_live_registries():
    assert document_providers.document_type_mapping is DOCUMENT_PROVIDERS
    assert journey_providers.journey_provider_mapping is JOURNEY_PROVIDERS
    assert journey_providers.journey_provider_mapping["ecommerce"].name == "ecommerce"
