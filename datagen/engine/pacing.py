"""Live mode: the stream paced in wall-clock time at a steady rate (events/second)."""

from __future__ import annotations

from collections.abc import Iterator

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock

#: Longest sleep between checks, so Ctrl-C is never kept waiting.
_MAX_SLEEP = 0.25


def paced(batches: Iterator[Batch], rate: float, clock: LiveClock) -> Iterator[Batch]:
    """The events of batches regrouped into what is due now: event k is released
    k / rate seconds after the first, never early, so over any window the
    measured rate is `rate` (or less, when the machine cannot keep up)."""
    started = clock.monotonic()
    released = 0
    for batch in batches:
        offset = 0
        while offset < len(batch):
            now = clock.monotonic()
            due = int((now - started) * rate) + 1 - released
            if due <= 0:
                wait = started + released / rate - now
                clock.sleep(min(max(wait, 0.0005), _MAX_SLEEP))
                continue
            taken = batch.slice(offset, offset + due)
            offset += len(taken)
            released += len(taken)
            yield taken
