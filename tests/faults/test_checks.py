"""Checks from Python: a model's declared faults when none are given, and
what a sink that cannot hold a fault says."""

from __future__ import annotations

import pytest

from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError
from datagen.faults import FaultsManifest, parse_faults
from datagen.runs.record import Checks
from datagen.runs.simulation import write_simulation
from datagen.sinks.memory import MemorySink


def run(checks: Checks, declared: str | None = None) -> tuple[MemorySink, object]:
    simulation = Simulation("web", seed=2)
    if declared is not None:
        simulation.model.declared_faults = declared  # type: ignore[attr-defined]
    sink = MemorySink()
    window = simulation.window(count=3000)
    result = write_simulation(simulation, window, [sink], count=3000, checks=checks)
    return sink, result


def test_a_models_declared_faults_apply_without_a_spec():
    sink, result = run(Checks(), declared="null=0.05")
    nulls = sum(1 for event in sink.events if None in event.values())
    assert nulls == result.faults["null"] > 50  # type: ignore[attr-defined]


def test_a_given_spec_wins_over_the_declared_one():
    sink, result = run(Checks(parse_faults("duplicate=0.05")), declared="null=0.5")
    assert set(result.faults) == {"duplicate"}  # type: ignore[attr-defined]
    assert len(sink.events) == 3000 + result.faults["duplicate"]  # type: ignore


def test_a_bad_declared_spec_names_its_source():
    with pytest.raises(ConfigError, match="faults: of 'web' 'null=x'"):
        run(Checks(), declared="null=x")


def test_without_checks_nothing_is_faulted_and_no_file_is_written(tmp_path):
    sink, result = run(Checks(faults_manifest=FaultsManifest(None)))
    assert len(sink.events) == 3000 and result.faults == {}  # type: ignore
