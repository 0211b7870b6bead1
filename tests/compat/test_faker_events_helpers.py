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
