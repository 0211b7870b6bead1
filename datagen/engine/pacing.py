"""Pacing in wall-clock time: one pacer for live runs (a steady rate) and
replay (each step at its offset / speed)."""

from __future__ import annotations

from collections.abc import Iterator

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock

#: Longest sleep between checks, so Ctrl-C is never kept waiting.
_MAX_SLEEP = 0.25
#: Shortest sleep: below this, sleeping costs more than it waits.
_MIN_SLEEP = 0.0005


class Pacer:
    """Seconds since the pacer started, and waiting until a moment after it."""

    def __init__(self, clock: LiveClock | None = None) -> None:
        self.clock = clock or LiveClock()
        self.started = self.clock.monotonic()

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.started

    def wait_until(self, due: float) -> None:
        """Return once `due` seconds have passed since the start (never early)."""
        while True:
            left = due - self.elapsed()
            if left <= 0:
                return
            self.clock.sleep(min(max(left, _MIN_SLEEP), _MAX_SLEEP))


def paced(batches: Iterator[Batch], rate: float, clock: LiveClock) -> Iterator[Batch]:
    """The events of batches regrouped into what is due now: event k is released
    k / rate seconds after the first, never early, so over any window the
    measured rate is `rate` (or less, when the machine cannot keep up)."""
    pacer = Pacer(clock)
    released = 0
    for batch in batches:
        offset = 0
        while offset < len(batch):
            due = int(pacer.elapsed() * rate) + 1 - released
            if due <= 0:
                pacer.wait_until(released / rate)
                continue
            taken = batch.slice(offset, offset + due)
            offset += len(taken)
            released += len(taken)
            yield taken
