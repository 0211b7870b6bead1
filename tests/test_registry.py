"""The registry: names, clashes, unknown names, isolation, self-registration."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
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


def _package(root: Path, name: str, modules: dict[str, str]) -> str:
    """A package of modules under root (on sys.path); returns its name."""
    folder = root / name
    folder.mkdir()
    (folder / "__init__.py").write_text('"""A test package."""\n')
    for module, source in modules.items():
        (folder / f"{module}.py").write_text(source)
    return name


_GOOD = """
from tests.test_registry import GADGETS
GADGETS.add("{name}", "{name} item", origin=__name__)
"""


@pytest.fixture
def gadget_package(tmp_path, monkeypatch) -> Iterator[Callable[..., str]]:
    """make(modules) -> the name of a fresh package of built-in gadget modules;
    GADGETS is a new registry whose builtins are that package."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def make(modules: dict[str, str], after_load: tuple[str, ...] = ()) -> str:
        name = _package(tmp_path, f"gadgets_{len(made)}_{id(made)}", modules)
        made.append(name)
        global GADGETS
        GADGETS = Registry(
            "gadget",
            "datagen.tests.no_gadgets",
            builtins=(name,),
            after_load=after_load,
        )
        return name

    yield make
    for name in made:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


GADGETS: Registry[str] = Registry("gadget", "datagen.tests.no_gadgets")


def test_builtins_load_on_first_lookup_only(gadget_package):
    package = gadget_package(
        {"alpha": _GOOD.format(name="alpha"), "beta": _GOOD.format(name="beta")}
    )
    assert f"{package}.alpha" not in sys.modules  # nothing imported yet
    assert GADGETS.get("alpha") == "alpha item"
    assert list(GADGETS) == ["alpha", "beta"]
    assert GADGETS.origin("beta") == f"{package}.beta"
    assert f"{package}.alpha" in sys.modules


@pytest.mark.parametrize(
    "lookup",
    [
        lambda r: r.get("alpha"),
        lambda r: list(r),
        lambda r: len(r),
        lambda r: "alpha" in r,
        lambda r: r.failures,
    ],
    ids=["get", "iter", "len", "contains", "failures"],
)
def test_every_kind_of_lookup_loads(gadget_package, lookup):
    gadget_package({"alpha": _GOOD.format(name="alpha")})
    lookup(GADGETS)
    assert GADGETS._items == {"alpha": "alpha item"}


def test_a_builtin_that_looks_itself_up_while_loading_does_not_loop(gadget_package):
    reentrant = _GOOD.format(name="alpha") + (
        "SEEN = sorted(GADGETS)\nGADGETS.add('gamma', str(SEEN), origin=__name__)\n"
    )
    gadget_package({"alpha": reentrant, "zeta": _GOOD.format(name="zeta")})
    assert GADGETS.get("gamma") == "['alpha']"  # what was there at the time
    assert list(GADGETS) == ["alpha", "gamma", "zeta"]


def test_a_broken_builtin_is_one_line_and_the_rest_loads(gadget_package):
    package = gadget_package(
        {
            "alpha": _GOOD.format(name="alpha"),
            "broken": "def oops(:\n",
            "missing": "import no_such_module_for_gadgets\n",
            "omega": _GOOD.format(name="omega"),
        }
    )
    assert list(GADGETS) == ["alpha", "omega"]
    assert sorted(GADGETS.failures) == ["broken", "missing"]
    with pytest.raises(RegistryError) as raised:
        GADGETS.get("missing")
    message = str(raised.value)
    assert message.startswith(f"gadget module {package}.missing (")
    assert message.endswith(
        "missing.py) failed to load: ModuleNotFoundError: "
        "No module named 'no_such_module_for_gadgets'"
    )
    assert "\n" not in message
    broken = GADGETS.failures["broken"]
    assert broken.error.startswith("SyntaxError: ")
    assert broken.origin.endswith("broken.py)")
    with pytest.raises(UnknownName):
        GADGETS.get("nothing")


def test_after_load_hooks_run_once_everything_is_loaded(gadget_package, monkeypatch):
    calls: list[list[str]] = []
    hooks = types.ModuleType("gadget_hooks")
    setattr(hooks, "record", lambda: calls.append(sorted(GADGETS._items)))
    setattr(hooks, "fail", lambda: 1 / 0)
    monkeypatch.setitem(sys.modules, "gadget_hooks", hooks)
    gadget_package(
        {"alpha": _GOOD.format(name="alpha")},
        after_load=("gadget_hooks:fail", "gadget_hooks:record"),
    )
    assert len(GADGETS) == 1 and len(GADGETS) == 1
    assert calls == [["alpha"]]  # after the built-ins, once, despite the failing one
    assert GADGETS.failures["gadget_hooks:fail"].error == (
        "ZeroDivisionError: division by zero"
    )


def test_isolated_loads_first_so_builtins_survive_it(gadget_package):
    gadget_package({"alpha": _GOOD.format(name="alpha")})
    with GADGETS.isolated():
        GADGETS.add("temporary", "t", origin="x")
    assert list(GADGETS) == ["alpha"]


def test_a_broken_plugin_is_recorded_and_the_others_load(monkeypatch):
    class EntryPoint:
        def __init__(self, name: str, value: str, item: object) -> None:
            self.name, self.value, self.item = name, value, item

        def load(self) -> object:
            if isinstance(self.item, Exception):
                raise self.item
            return self.item

    found = [
        EntryPoint("bad", "bad_pkg:Thing", ModuleNotFoundError("No module named 'x'")),
        EntryPoint("good", "good_pkg:Good", "a good item"),
    ]
    monkeypatch.setattr(
        "datagen.registry.entry_points", lambda group: found if group == "g" else []
    )
    registry: Registry[str] = Registry("widget", "g")
    assert list(registry) == ["good"]
    assert registry.origin("good") == "plugin good_pkg:Good"
    with pytest.raises(RegistryError) as raised:
        registry.get("bad")
    assert str(raised.value) == (
        "plugin 'bad_pkg:Thing' (g) failed to load: "
        "ModuleNotFoundError: No module named 'x'"
    )
