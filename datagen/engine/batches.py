"""Batches: runs of consecutive events, as dicts (one process) or JSON lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from datagen.encoders import dumps_line
from datagen.engine.runner import Keyed


class Batch:
    """Consecutive events of the stream, ending at simulated time `last`.

    Holds dicts or JSON lines, and makes the other form only when asked (the
    file and stdout writers take the lines; sinks of dicts take the dicts).
    """

    __slots__ = ("_events", "_lines", "last")

    def __init__(
        self,
        events: list[dict[str, Any]] | None,
        lines: list[bytes] | None,
        last: float,
    ) -> None:
        self._events = events
        self._lines = lines
        self.last = last

    def __len__(self) -> int:
        return len(self._events if self._events is not None else self._lines or ())

    def events(self) -> list[dict[str, Any]]:
        if self._events is None:
            self._events = [orjson.loads(line) for line in self._lines or ()]
        return self._events

    def lines(self) -> list[bytes]:
        if self._lines is None:
            self._lines = [dumps_line(event) for event in self._events or ()]
        return self._lines

    def head(self, count: int) -> Batch:
        """The first count events only."""
        return self.slice(0, count)

    def slice(self, start: int, stop: int) -> Batch:
        """Events start .. stop-1, in whichever form the batch holds them."""
        if start == 0 and stop >= len(self):
            return self
        return Batch(
            None if self._events is None else self._events[start:stop],
            None if self._lines is None else self._lines[start:stop],
            self.last,
        )


def batch_keyed(keyed: Iterator[Keyed], size: int) -> Iterator[Batch]:
    """The keyed stream in batches of size events."""
    events: list[dict[str, Any]] = []
    append = events.append
    moment = 0.0
    for moment, _, _, event in keyed:
        append(event)
        if len(events) >= size:
            yield Batch(events, None, moment)
            events = []
            append = events.append
    if events:
        yield Batch(events, None, moment)


def limit_batches(batches: Iterator[Batch], count: int | None) -> Iterator[Batch]:
    """At most count events (all when None); closes the source when done."""
    if count is None:
        yield from batches
        return
    left = count
    try:
        for batch in batches:
            if len(batch) >= left:
                yield batch.head(left)
                return
            left -= len(batch)
            yield batch
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
