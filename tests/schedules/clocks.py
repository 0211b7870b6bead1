"""A test clock for live runs: wall-clock time that passes only when the run
sleeps, so a run of minutes takes no time and its timing is exact."""

from __future__ import annotations

from datetime import datetime, timedelta

from datagen.engine.clock import LiveClock


class SleepingClock(LiveClock):
    """A wall clock that moves only when the run sleeps."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.passed = 0.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.passed)

    def monotonic(self) -> float:
        return self.passed

    def sleep(self, seconds: float) -> None:
        self.passed += seconds
