"""Run length means what the user asked for: --count N alone gives N events
for every simulation; with another bound, whichever comes first ends the run
and the summary says which; open populations keep journeys starting."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from datagen.engine.simulation import Simulation, list_simulations

BUILT_IN = sorted(name for name, _, origin in list_simulations())


def lines(text: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", BUILT_IN)
def test_count_alone_gives_exactly_that_many_events(invoke: Any, name: str) -> None:
    result = invoke("simulate", name, "--actors", 200, "--count", 3000, "--seed", 5)
    assert len(lines(result.stdout)) == 3000
    assert f"wrote 3,000 {name} events to stdout" in result.stderr
    assert "requested" not in result.stderr and "stopped" not in result.stderr


@pytest.mark.parametrize(
    ("bound", "reason"),
    [
        (["--duration", "1d"], "stopped at --duration 1d"),
        (["--ticks", "600"], "stopped at --ticks 600"),
        (["--end", "2025-01-01T12:00:00Z"], "stopped at --end 2025-01-01T12:00:00Z"),
    ],
)
def test_the_first_bound_reached_ends_the_run_and_the_summary_says_which(
    invoke: Any, bound: list[str], reason: str
) -> None:
    argv = ["simulate", "banking", "--actors", 200, "--count", 100_000, "--seed", 5]
    result = invoke(*argv, *bound)
    written = len(lines(result.stdout))
    assert 0 < written < 100_000
    assert f"wrote {written:,} of 100,000 requested banking events" in result.stderr
    assert result.stderr.rstrip().endswith(reason)
    # and a count reached first ends it there, saying nothing more
    shorter = invoke(*argv[:-4], "--count", 10, "--seed", 5, *bound)
    assert len(lines(shorter.stdout)) == 10 and "stopped" not in shorter.stderr


def test_a_population_without_arrivals_can_run_dry_and_says_so(invoke: Any) -> None:
    argv = ["simulate", "starfleet", "--actors", 20, "--count", 5000, "--seed", 2]
    result = invoke(*argv, "--arrivals", "0")
    written = len(lines(result.stdout))
    assert 20 <= written < 5000
    assert f"wrote {written:,} of 5,000 requested" in result.stderr
    assert result.stderr.rstrip().endswith("every actor was done")


def test_journeys_keep_starting_after_the_initial_actors() -> None:
    simulation = Simulation("starfleet", actors=50, seed=3)
    window = simulation.window(duration="3d")
    users = [event["user_id"] for event in simulation.run(duration="3d")]
    assert window.arrivals is not None
    # 50 journeys start over the first day (the provider's spread), then
    # about 50 a day more arrive: the stream does not run dry
    assert 100 <= len(set(users)) <= 200
    arrived = Simulation("starfleet", actors=50, seed=3)
    stream = list(arrived.keyed(arrived.window(duration="3d")))
    late = [index for _, index, _, _ in stream if index >= 50]
    assert late and min(t for t, i, _, _ in stream if i >= 50) >= window.start + 86_400


def test_arrivals_option_sets_the_rate(invoke: Any) -> None:
    base = ["simulate", "web", "--actors", 100, "--duration", "1d", "--seed", 4]
    none = lines(invoke(*base, "--arrivals", "0").stdout)
    more = lines(invoke(*base, "--arrivals", "200/h").stdout)
    users = {e["user_custom_id"] for e in none}
    grown = {e["user_custom_id"] for e in more}
    assert len(users) <= 100 < len(grown)
    assert (
        invoke(*base, "--arrivals", "0").stdout
        == invoke(*base, "--arrivals", "0", "--workers", 2).stdout
    )


@pytest.mark.parametrize("name", ["starfleet", "web"])
def test_arrivals_do_not_depend_on_workers(invoke: Any, name: str) -> None:
    argv = ["simulate", name, "--actors", 40, "--count", 2000, "--seed", 9]
    argv += ["--arrivals", "100/h"]
    one = invoke(*argv).stdout
    assert one == invoke(*argv, "--workers", 2).stdout
    assert one == invoke(*argv, "--workers", 3).stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rate", "5/s"], "--rate paces a live run: add --live"),
        (["--speed", "60"], "--speed paces a live run: add --live"),
        (["--live", "--speed", "0"], "--speed must be more than 0"),
        (["--live", "--speed", "fast"], "--speed: 'fast' is not a number"),
        (["--arrivals", "-3/h"], "--arrivals: '-3/h' must be positive"),
        (
            ["--live", "--rate", "5/s", "--start", "2025-01-01T00:00:00Z"],
            "drop one of them",
        ),
    ],
)
def test_run_options_that_do_not_go_together(
    invoke: Any, argv: list[str], message: str
) -> None:
    result = invoke("simulate", "customers", "--count", 5, *argv, ok=False)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_reader_going_away_is_no_reason_given_for_a_short_run() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"set -o pipefail; {sys.executable} {root / 'generate.py'} simulate"
            " banking --count 100000 --seed 1 | head -1 >/dev/null",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "of 100,000 requested banking events" in done.stderr
    assert "stopped" not in done.stderr and "every actor" not in done.stderr


def test_arrivals_are_numbered_after_a_profiles_file_s_people(tmp_path: Any) -> None:
    """Without --actors, the population is the file's 150 people, not the
    model's default 100: an arrival numbered from 100 would replay one of them."""
    people = tmp_path / "people.json"
    Simulation("customers", actors=150, seed=4, profiles=people).population
    simulation = Simulation("customers", seed=4, profiles=people)
    window = simulation.window(duration="2h", arrivals=100 / 3600)
    assert window.arrivals is not None and window.arrivals.first_index == 150
    indexes = {index for _, index, _, _ in simulation.keyed(window)}
    assert max(indexes) >= 150 and len(simulation.population.actors) == 150


def test_arriving_actors_come_from_the_run_s_seed() -> None:
    """An arrival is made from the run's seed, like the initial actors: two
    seeds give two different arrivals (it was seed 0 for every run)."""

    def arrival(seed: int) -> Any:
        simulation = Simulation("banking", actors=5, seed=seed)
        simulation.window(duration="1h", arrivals=1.0)
        return simulation.population.arrival(5).rng.random()

    assert arrival(1) != arrival(2)
    assert arrival(1) == arrival(1)
