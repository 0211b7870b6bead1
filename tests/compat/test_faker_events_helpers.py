"""Helpers of the faker-events tests (no tests here): README examples run
with only their import changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from datagen.compat.faker_events import EventGenerator, generator

#: The one line each example changes.
IMPORT_FROM = "from faker_events import"
IMPORT_TO = "from datagen.compat.faker_events import"


def ported(example: str) -> str:
    """The README example with its faker_events import pointed at datagen."""
    source = example.replace(IMPORT_FROM, IMPORT_TO).replace(
        "import faker_events\n",
        "import datagen.compat.faker_events as faker_events\n",
    )
    assert source != example, "the example imports nothing from faker_events"
    return source


def run_example(example: str) -> dict[str, Any]:
    """Execute the ported example as a module would run; its globals."""
    scope: dict[str, Any] = {"__name__": "__example__"}
    exec(compile(ported(example), "<README example>", "exec"), scope)
    return scope


def lines(text: str) -> list[dict[str, Any]]:
    """The JSON lines of text (faker-events' console format)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class FakeClock:
    """A wall clock whose sleeps pass at once: live runs paced in no time."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.slept = 0.0

    def now(self) -> datetime:
        return datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.elapsed += seconds
        self.slept += seconds


@pytest.fixture
def fresh_generator(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    """EventGenerator's class-wide settings cleared, a fixed seed for runs
    that give none, and live runs paced by a fake clock (yielded)."""
    clock = FakeClock()
    monkeypatch.setattr(EventGenerator, "_first_events", [])
    monkeypatch.setattr(EventGenerator, "_stream", None)
    monkeypatch.setattr(EventGenerator, "_timezone", None)
    monkeypatch.setattr(EventGenerator, "clock", clock)
    monkeypatch.setattr(generator, "draw_seed", lambda: 20250101)
    yield clock


def captured() -> list[dict[str, Any]]:
    """Set a stream of the test's own on EventGenerator: the list of the
    messages it is sent."""
    sent: list[dict[str, Any]] = []

    class Capture:
        def send(self, message: dict[str, Any]) -> None:
            sent.append(message)

    EventGenerator.set_stream(Capture())
    return sent


def with_self(example: str) -> str:
    """The example as faker-events 1.0's README writes it: profilers take
    `self` where 1.x's take `event`, and reach the event's data as
    `self.event`."""
    return example.replace("(event, profile)", "(self, profile)").replace(
        "event.data[", "self.event["
    )


# README flows that more than one test runs (1.x's profilers; with_self()
# gives 1.0's), each example adding how it is run.

#: "Ordered Events": A, B twice (its limit), then C; a profile's events
#: follow one another.
ORDERED = """\
from faker_events import Event, EventGenerator

a = Event({'Name': 'A'})
b = Event({'Name': 'B'}, limit=2)
c = Event({'Name': 'C'})

a.next = b
b.next = c

# Short form:
# a >> b >> c

EventGenerator.set_first_events(a)
"""

#: "Profiling Events with Faker": a fixed field, one drawn once, one drawn
#: every event, one from the profile.
PROFILED = """\
from faker import Faker
from faker_events import Event, EventGenerator

fake = Faker()

event = {
    'Fixed': 'Doesnt Change',
    'Once': fake.color(),
    'Always': '',
    'Profiled': '',
}

def profiler(event, profile):
    return {
        'Always': fake.boolean(),
        'Profiled': profile.email,
    }
"""

#: "Persistent State": each event's profiler sets the profile's LastEvent,
#: the next one reads it.
LAST_EVENT_FLOW = """\
event_a = {'Name': 'A', 'LastEvent': 'none'}

def profiler_a(event, profile):
    profile.LastEvent = 'EventA'

event_b = {'Name': 'B', 'LastEvent': 'none'}

def profiler_b(event, profile):
    event.data['LastEvent'] = profile.LastEvent
    profile.LastEvent = 'EventB'

event_c = {'Name': 'C', 'LastEvent': 'none'}

def profiler_c(event, profile):
    event.data['LastEvent'] = profile.LastEvent

a = Event(event_a, profiler_a, 1)
b = Event(event_b, profiler_b, 1)
c = Event(event_c, profiler_c, 1)
"""
