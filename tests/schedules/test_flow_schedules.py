"""Scheduled flow events in Python (datagen's Event and faker-events'): each
fires at its cron times in the run's time zone instead of after a random
wait; limit counts them; a following event waits for its own times."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from datagen.compat.faker_events import Event as FakerEvent
from datagen.compat.faker_events import EventGenerator
from datagen.engine.models.flows import Event, Flow
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError


def stamp(event: Any, profile: Any) -> dict[str, Any]:
    return {"at": event.time, "actor": profile.id}


def run(flow: Flow, actors: int = 1, **window: Any) -> list[dict[str, Any]]:
    return list(Simulation(flow, actors=actors, seed=1).run(**window))


def test_an_event_fires_at_each_cron_time_up_to_its_limit_then_its_flow_moves_on() -> (
    None
):
    opened = Event(
        {"name": "open", "at": ""}, stamp, limit=3, schedule="0 9 * * MON-FRI"
    )
    closed = Event({"name": "close", "at": ""}, stamp, schedule="0 17 * * *")
    opened >> closed
    events = run(
        Flow(opened),
        start="2026-01-08T00:00:00Z",  # a Thursday
        end="2026-01-20T00:00:00Z",
    )
    assert [(e["name"], e["at"]) for e in events] == [
        ("open", "2026-01-08T09:00:00.000Z"),
        ("open", "2026-01-09T09:00:00.000Z"),
        ("open", "2026-01-12T09:00:00.000Z"),  # the weekend skipped
        ("close", "2026-01-12T17:00:00.000Z"),  # its next time after the last open
    ]


def test_limit_0_fires_every_time_of_the_run_and_the_zone_is_the_runs() -> None:
    ticking = Event({"name": "tick", "at": ""}, stamp, limit=0, schedule="30 1 * * *")
    events = run(
        Flow(ticking),
        start="2026-10-24T00:00:00+01:00",
        end="2026-10-27T00:00:00Z",
        timezone="Europe/London",
    )
    assert [e["at"] for e in events] == [
        "2026-10-24T01:30:00.000+01:00",
        "2026-10-25T01:30:00.000+01:00",
        "2026-10-26T01:30:00.000Z",
    ]


def test_every_actor_fires_at_the_same_times_and_random_events_follow() -> None:
    daily = Event({"name": "login", "at": ""}, stamp, limit=0, schedule="@daily")
    clicked = Event({"name": "click", "at": ""}, stamp, epm=1)
    daily >> clicked
    events = run(Flow(daily), actors=3, start="2026-01-01T00:00:00Z", duration="3d")
    logins = [e for e in events if e["name"] == "login"]
    assert len(logins) == 9
    assert {e["at"][11:] for e in logins} == {"00:00:00.000Z"}
    # limit 0 never moves on: the click never comes
    assert all(e["name"] == "login" for e in events)
    once = Event({"name": "login", "at": ""}, stamp, schedule="@daily")
    once >> Event({"name": "click", "at": ""}, stamp, epm=1)
    events = run(Flow(once), actors=3, start="2026-01-01T00:30:00Z", duration="2d")
    clicks = [e for e in events if e["name"] == "click"]
    assert len(clicks) == 3
    assert all(e["at"] > "2026-01-02T00:00:00.000Z" for e in clicks)
    assert len({e["at"] for e in clicks}) == 3  # random waits, one per actor


def test_a_grouped_event_is_emitted_with_the_scheduled_one() -> None:
    paid = Event({"name": "paid", "at": ""}, stamp, schedule="0 12 * * *")
    receipt = Event({"name": "receipt", "at": ""}, stamp)
    paid & receipt
    events = run(Flow(paid), start="2026-01-01T00:00:00Z", duration="2d")
    assert [(e["name"], e["at"]) for e in events] == [
        ("paid", "2026-01-01T12:00:00.000Z"),
        ("receipt", "2026-01-01T12:00:00.000Z"),
    ]


def test_a_schedule_that_fires_at_the_start_fires_then() -> None:
    event = Event({"name": "x", "at": ""}, stamp, limit=0, schedule="0 * * * *")
    events = run(Flow(event), start="2026-01-01T00:00:00Z", duration="2h")
    assert [e["at"] for e in events] == [
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T01:00:00.000Z",
    ]


def test_epm_and_schedule_together_or_bad_cron_text_are_refused() -> None:
    with pytest.raises(ConfigError, match="give epm or schedule, not both"):
        Event({"name": "x"}, epm=2, schedule="0 9 * * *")
    with pytest.raises(
        ConfigError, match="flow event 'x': schedule '0 25 \\* \\* \\*': bad hour"
    ):
        Event({"name": "x"}, schedule="0 25 * * *")


def test_a_flow_of_scheduled_events_only_says_so() -> None:
    first = Event({"name": "a"}, schedule="@hourly")
    assert Flow(first).scheduled_only
    first >> Event({"name": "b"})
    assert not Flow(first).scheduled_only


class Collected:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    def send(self, message: Any) -> None:
        self.messages.append(message)


def test_faker_events_event_takes_a_schedule_in_the_generators_zone() -> None:
    def opened(event: Any, profile: Any) -> dict[str, Any]:
        return {"at": event.time}

    daily = FakerEvent(
        {"type": "daily", "at": ""}, opened, limit=2, schedule="0 6 * * *"
    )
    stream = Collected()
    generator = EventGenerator(2, timezone="Europe/Paris", stream=stream, seed=3)
    generator.events = daily
    zone = ZoneInfo("Europe/Paris")
    generator.batch(
        datetime(2026, 3, 28, tzinfo=zone), datetime(2026, 4, 1, tzinfo=zone)
    )
    times = [str(message["at"]) for message in map(_as_dict, stream.messages)]
    assert times == [
        "2026-03-28T06:00:00.000+01:00",
        "2026-03-28T06:00:00.000+01:00",
        "2026-03-29T06:00:00.000+02:00",  # the day summer time began
        "2026-03-29T06:00:00.000+02:00",
    ]


def _as_dict(message: Any) -> dict[str, Any]:
    return message if isinstance(message, dict) else orjson.loads(message)
