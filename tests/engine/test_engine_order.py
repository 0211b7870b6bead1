"""The engine's stream: time order, same seed same bytes, workers change nothing."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest

from datagen.engine.simulation import Simulation
from datagen.engine.simulations.customers import customers
from datagen.errors import ConfigError, UnknownName

SEED = 20250101


def keyed(name: str, actors: int, **window: Any) -> list[tuple[float, int, int, Any]]:
    simulation = Simulation(name, actors=actors, seed=SEED)
    return list(simulation.keyed(simulation.window(**window)))


@pytest.mark.parametrize("name", ["customers", "starfleet", "ecommerce"])
def test_time_order_globally_and_per_actor(name: str) -> None:
    stream = keyed(name, 40, duration="6h" if name == "customers" else "5d")
    assert len(stream) > 100
    keys = [entry[:3] for entry in stream]
    assert keys == sorted(keys)
    by_actor: dict[int, list[tuple[float, int]]] = {}
    for moment, index, sequence, _ in stream:
        by_actor.setdefault(index, []).append((moment, sequence))
    # every initial actor acts; journeys also have actors arriving after the
    # first day (the initial ones' start spread), so the stream keeps going
    assert set(range(40)) <= set(by_actor)
    assert (len(by_actor) > 40) == (name != "customers")
    for entries in by_actor.values():
        assert [s for _, s in entries] == list(range(len(entries)))
        assert all(a[0] <= b[0] for a, b in pairwise(entries))


def test_no_event_outside_the_window() -> None:
    simulation = Simulation("customers", actors=30, seed=SEED)
    window = simulation.window(start="2025-03-01T00:00:00Z", duration="2h")
    stream = list(simulation.keyed(window))
    assert all(window.start <= moment < window.end for moment, *_ in stream)
    assert stream[-1][0] > window.end - 600  # the run does reach its end


def test_timestamps_follow_the_time_zone() -> None:
    simulation = Simulation("customers", actors=3, seed=SEED)
    events = list(simulation.run(count=3, timezone="Europe/Paris"))
    assert all(event["event_time"].endswith("+01:00") for event in events)
    utc = list(Simulation("customers", actors=3, seed=SEED).run(count=3))
    assert all(event["event_time"].endswith("Z") for event in utc)


def lines(name: str, workers: int, actors: int = 60, **window: Any) -> bytes:
    simulation = Simulation(name, actors=actors, seed=SEED)
    batches = simulation.batches(simulation.window(**window), workers)
    return b"".join(line for batch in batches for line in batch.lines())


@pytest.mark.parametrize("name", ["customers", "starfleet"])
def test_same_seed_same_bytes(name: str) -> None:
    first = lines(name, 1, duration="3h")
    assert first == lines(name, 1, duration="3h")
    assert first != lines(name, 1, duration="3h", start="2025-02-01T00:00:00Z")


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("name", ["customers", "starfleet"])
def test_workers_give_the_same_bytes(name: str, workers: int) -> None:
    span = "4h" if name == "customers" else "5d"
    one = lines(name, 1, actors=70, duration=span)
    assert len(one.splitlines()) > 100
    assert lines(name, workers, actors=70, duration=span) == one


def test_workers_bytes_equal_with_a_count() -> None:
    simulation = Simulation("customers", actors=50, seed=SEED)
    window = simulation.window(duration="1d")
    one = [e for b in simulation.batches(window, 1, count=777) for e in b.events()]
    simulation = Simulation("customers", actors=50, seed=SEED)
    two = [e for b in simulation.batches(window, 2, count=777) for e in b.events()]
    assert len(one) == 777 and one == two


def test_a_seed_changes_the_stream() -> None:
    a = list(Simulation("customers", actors=5, seed=1).run(count=20))
    b = list(Simulation("customers", actors=5, seed=2).run(count=20))
    assert a != b


def test_a_factory_or_a_model_runs_like_its_name() -> None:
    by_name = list(Simulation("customers", actors=4, seed=5).run(count=10))
    by_factory = list(Simulation(customers, actors=4, seed=5).run(count=10))
    by_model = list(Simulation(customers(), actors=4, seed=5).run(count=10))
    assert by_name == by_factory == by_model


def test_ticks_use_the_models_tick_length() -> None:
    simulation = Simulation("customers", actors=2, seed=1)
    window = simulation.window(ticks=90)
    assert window.end - window.start == 90


@pytest.mark.parametrize(
    "options, message",
    [
        ({"start": "2025-01-02T00:00:00Z", "end": "2025-01-01T00:00:00Z"}, "not after"),
        ({"end": "yesterday"}, "not an ISO 8601 time"),
        ({"duration": "soon"}, "not a duration"),
        ({"ticks": 0}, "at least 1"),
        ({"duration": "1h", "ticks": 5}, "give one of"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_bad_windows(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Simulation("customers", actors=1).window(**options)


def test_unknown_simulation_lists_the_known_ones() -> None:
    with pytest.raises(UnknownName, match="unknown simulation 'nope'.*customers"):
        Simulation("nope")


def test_config_for_a_model_without_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="takes no --config"):
        Simulation("customers", config=tmp_path / "c.yml")


def test_journey_simulation_emits_each_step_at_its_time() -> None:
    simulation = Simulation("starfleet", actors=20, seed=SEED)
    events = list(simulation.run())
    users = {event["user_id"] for event in events}
    assert len(users) == 20
    stamps = [event["timestamp"] for event in events]
    assert stamps == sorted(stamps)
    # journeys interleave: a user's steps are not all together
    firsts = [events.index(next(e for e in events if e["user_id"] == u)) for u in users]
    assert max(firsts) > 20
    for user in users:
        steps = [event["step"] for event in events if event["user_id"] == user]
        assert sorted(steps) == list(range(len(steps)))


def test_journey_documents_are_those_of_the_journey_command() -> None:
    from datagen.runs.journeys import JourneyJob

    events = list(Simulation("ecommerce", actors=4, seed=SEED).run())
    job = JourneyJob("ecommerce", 4, SEED, None)
    for index in range(4):
        journey = job.journey(index)
        mine = [e for e in events if e["user_id"] == journey.user_id]
        assert sorted((e["step"], orjson.dumps(e["document"])) for e in mine) == [
            (step.index, orjson.dumps(step.document)) for step in journey.steps
        ]


def test_workers_keep_line_breaks_inside_values() -> None:
    from datagen.engine.models.flows import Event, Flow

    text = "two\nlines\r\nand\u2028more\x0b"
    flow = Flow(Event({"text": text, "nested": {"t": text}}, limit=3))
    one = list(Simulation(flow, actors=9, seed=2).run(workers=1))
    two = list(Simulation(flow, actors=9, seed=2).run(workers=2))
    assert one == two and len(one) == 27
    assert all(event["text"] == text for event in two)
