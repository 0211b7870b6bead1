"""The wall clock of live runs: the only place the engine reads real time."""

from __future__ import annotations

import time
from datetime import datetime, timezone


class LiveClock:
    """Wall-clock time, for live runs: the only place the engine reads it.

    `now()` is the start of a live run given no --start; `monotonic()` and
    `sleep()` pace it. Tests pass their own clock to control both.
    """

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
