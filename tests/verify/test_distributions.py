"""configured_distributions: the weights a run's manifest records and verify tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from mimesis import Field

from datagen.declarative.loader import declare
from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider
from datagen.errors import ConfigError, UnknownName
from datagen.declarative.distributions import (
    configured_distributions,
    split_condition,
    split_key,
    value_text,
)

DECLARATION = """\
provider: weighted_plans
fields:
  id: {gen: uuid}
  plan: {gen: choice, weights: {free: 3, pro: 1}}
  tier: {gen: choice, values: [1, 2, 2, 3]}
  address:
    kind: {gen: choice, weights: {home: 1, work: 1}, null_rate: 0.1}
  tags: {gen: list, n: 2, of: {gen: choice, values: [a, b]}}
  nested_list: {gen: choice, values: [[1], [2]]}
"""


def test_a_declared_document_s_choices_are_normalised(tmp_path: Path) -> None:
    file = tmp_path / "weighted_plans.yaml"
    file.write_text(DECLARATION)
    declared = declare(file)
    assert declared.item is not None, declared.problems
    with DOCUMENT_PROVIDERS.isolated() as registry:
        registry.add("weighted_plans", declared.item, str(file))
        found = configured_distributions("document", "weighted_plans")
    assert found == {
        "plan": {"free": 0.75, "pro": 0.25},
        "tier": {"1": 0.25, "2": 0.5, "3": 0.25},
        "address.kind": {"home": 0.5, "work": 0.5},
    }


def test_a_python_provider_s_own_distributions_are_used() -> None:
    class Weighted(DocumentProvider, abstract=True):
        name = "weighted_python"
        distributions: ClassVar[dict[str, Any]] = {"colour": {"red": 1, "blue": 3}}

        def create_schema(self, field: Field) -> dict[str, Any]:
            return {"colour": "red"}

    with DOCUMENT_PROVIDERS.isolated() as registry:
        registry.add("weighted_python", Weighted, "test")
        assert configured_distributions("document", "weighted_python") == {
            "colour": {"red": 0.25, "blue": 0.75}
        }
        Weighted.distributions = {"colour": {"red": -1}}
        with pytest.raises(ConfigError, match="weighted_python.*colour"):
            configured_distributions("document", "weighted_python")


def test_a_provider_without_choices_has_none() -> None:
    assert configured_distributions("document", "starfleet_account") == {}


def test_the_web_model_s_landing_pages_and_marketing_per_session() -> None:
    found = configured_distributions("simulation", "web")
    assert found["page_url_path per marketing_click_id"] == {
        "/home": 0.6,
        "/product_a": 0.25,
        "/product_b": 0.15,
    }
    assert found["marketing_campaign per marketing_click_id"] == {
        "campaign_1": 0.8,
        "campaign_2": 0.2,
    }
    assert found["os_name per user_domain_id"]["iOS"] == pytest.approx(0.4)
    assert len(found["geo_region_name per user_domain_id"]) == 50
    for shares in found.values():
        assert sum(shares.values()) == pytest.approx(1)


def test_unknown_names_and_kinds_are_config_errors() -> None:
    with pytest.raises(UnknownName):
        configured_distributions("simulation", "nope")
    with pytest.raises(ConfigError, match="unknown kind 'journey'"):
        configured_distributions("journey", "web")


def test_keys_and_values_as_text() -> None:
    assert split_key("os_name per user_domain_id") == ("os_name", "user_domain_id")
    assert split_key("address.kind") == ("address.kind", None)
    assert [value_text(v) for v in ("a", 1, True, None, 1.5)] == [
        "a",
        "1",
        "true",
        "null",
        "1.5",
    ]


def test_a_state_machine_s_triggers_out_of_states_nothing_refuses() -> None:
    """banking's loan and spending transitions have callbacks (a credit
    limit refuses some): only the triggers out of `online` are fixed."""
    assert configured_distributions("simulation", "banking") == {
        "trigger where from_state=online": {"logout": 0.7, "open_loan_screen": 0.3}
    }
    assert split_condition("trigger where from_state=online") == (
        "trigger",
        ("from_state", "online"),
    )
    assert split_condition("plan") == ("plan", None)
