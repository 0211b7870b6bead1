"""Pacing in wall-clock time: one pacer for live runs (each event at its
simulated time, at a speed) and replay (each step at its offset / speed)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.rates import RateShape

#: Longest sleep between checks, so Ctrl-C is never kept waiting.
_MAX_SLEEP = 0.25
#: Shortest sleep: below this, sleeping costs more than it waits.
_MIN_SLEEP = 0.0005
#: Seconds between two releases of a live run at the least.
RELEASE_EVERY = 0.01


@dataclass(frozen=True)
class Pace:
    """How a live run follows the wall clock: simulated time runs `speed`
    times as fast; `wall_start` is the wall clock's epoch at the window's
    start when the run follows the clock (its events are stamped with the time
    they leave), None when it plays a given --start from when it begins;
    `shape`, when the rate changes over the run (bursts, ramps, a day's
    curve: engine.rates), None for a steady --rate."""

    speed: float = 1.0
    wall_start: float | None = None
    shape: RateShape | None = None

    def already(self, clock: LiveClock) -> float:
        """Seconds gone since the window's start, on the wall clock (less
        than zero while a stream that starts ahead of it waits)."""
        if self.wall_start is None:
            return 0.0
        return clock.now().timestamp() - self.wall_start


class Pacer:
    """Seconds since the pacer started, and waiting until a moment after it."""

    def __init__(self, clock: LiveClock | None = None, already: float = 0.0) -> None:
        """already: seconds that count as passed when the pacer is made."""
        self.clock = clock or LiveClock()
        self.started = self.clock.monotonic() - already

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.started

    def wait_until(self, due: float) -> None:
        """Return once `due` seconds have passed since the start (never early)."""
        while True:
            left = due - self.elapsed()
            if left <= 0:
                return
            self.clock.sleep(min(max(left, _MIN_SLEEP), _MAX_SLEEP))


@dataclass
class Lateness:
    """How far behind its schedule a paced stream fell: the most seconds an
    event left after its time (a model slower than the rate asked)."""

    worst: float = 0.0


def paced(
    batches: Iterator[Batch],
    origin: float,
    speed: float,
    clock: LiveClock,
    already: float = 0.0,
    lateness: Lateness | None = None,
) -> Iterator[Batch]:
    """The events of batches regrouped into what is due now: an event at
    simulated time t is released (t - origin) / speed seconds after the start,
    never early; `already` seconds count as passed at the start (a live run
    whose origin is the wall clock's now when its window was made).

    Batches keep each event's time (Batch.times); one without them is paced
    by its last event's time.
    """
    pacer = Pacer(clock, already)
    for batch in batches:
        times = batch.times if batch.times is not None else [batch.last] * len(batch)
        offset = 0
        while offset < len(batch):
            reached = origin + pacer.elapsed() * speed
            due = bisect_right(times, reached, offset)
            if due <= offset:
                pacer.wait_until((times[offset] - origin) / speed)
                continue
            if lateness is not None:
                behind = pacer.elapsed() - (times[offset] - origin) / speed
                lateness.worst = max(lateness.worst, behind)
            yield batch.slice(offset, due)
            offset = due
            # the next release waits a little: events then leave in groups
            # (each at most RELEASE_EVERY late) and a high rate is not spent
            # writing and flushing one event at a time
            pacer.wait_until(pacer.elapsed() + RELEASE_EVERY)
