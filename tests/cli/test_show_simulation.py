"""`show NAME` works for simulations too: an example event and its fields."""

from __future__ import annotations

import json

import pytest

SIMULATIONS = ["banking", "customers", "web"]


@pytest.mark.parametrize("name", SIMULATIONS)
def test_show_a_simulation_prints_an_event_and_its_fields(invoke, name):
    result = invoke("show", name)
    text, fields = result.stdout.split("fields:\n")
    event = json.loads(text)
    assert isinstance(event, dict) and event
    lines = fields.splitlines()
    assert lines and all(line.startswith("  ") and ": " in line for line in lines)
    assert {line.split(":")[0].strip() for line in lines} >= set(event) - {
        key for key, value in event.items() if isinstance(value, dict)
    }


def test_the_example_depends_on_the_seed_only(invoke):
    assert invoke("show", "web", "--seed", 3).stdout == (
        invoke("show", "web", "--seed", 3).stdout
    )
    assert invoke("show", "web", "--seed", 3).stdout != invoke("show", "web").stdout


def test_a_journey_name_still_shows_the_journey(invoke):
    """starfleet is both a journey provider and a simulation: the journey wins."""
    assert "steps:" in invoke("show", "starfleet").stdout


def test_an_unknown_name_lists_simulations_too(invoke):
    result = invoke("show", "nope", ok=False)
    assert result.exit_code == 2
    assert "unknown provider or simulation 'nope'" in result.stderr
    assert "web" in result.stderr and "order" in result.stderr
