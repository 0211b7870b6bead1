"""Batches: runs of consecutive events, the unit that moves from a source to sinks.

A batch holds its events in whichever forms it was made in (dicts in one
process; JSON lines from worker processes; bytes already encoded for a file's
format) and makes another form only when a sink asks for it, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from datagen.encoders import Encoder, JsonLinesEncoder, MalformedRecord, dumps_line
from datagen.engine.runner import Keyed

_JSONL = JsonLinesEncoder.name


class Batch:
    """Consecutive events of a stream, ending at simulated time `last`.

    Made from dicts (`events`), from JSON lines (`lines`), or from bytes per
    encoder name (`encoded`, with `count`); `events()`, `lines()` and
    `encoded(encoder)` give each form, made from another when missing.
    `times`, when kept, is each event's simulated time (live runs pace by it).
    `broken`: the records a `malformed` fault broke, by position; each form
    holds its own breakage (a broken JSON line, a record cut short).
    """

    __slots__ = ("_events", "_lines", "_encoded", "_count", "last", "times", "broken")

    def __init__(
        self,
        events: list[dict[str, Any]] | None,
        lines: list[bytes] | None,
        last: float,
        encoded: dict[str, bytes] | None = None,
        count: int | None = None,
        times: list[float] | None = None,
        broken: dict[int, MalformedRecord] | None = None,
    ) -> None:
        self._events = events
        self._lines = lines
        self._encoded = dict(encoded or {})
        if count is None:
            count = len(events if events is not None else lines or ())
        self._count = count
        self.last = last
        self.times = times
        self.broken = broken or None

    def __len__(self) -> int:
        return self._count

    @property
    def has_lines(self) -> bool:
        """True when the batch holds its events as JSON lines (made, or kept
        as a worker encoded them): lines() then decodes nothing."""
        return self._lines is not None or (
            self._events is None and _JSONL in self._encoded
        )

    def events(self) -> list[dict[str, Any]]:
        """The events as dicts."""
        if self._events is None:
            lines = self.lines()
            if self.broken is None:
                self._events = [orjson.loads(line) for line in lines]
            else:
                broken = self.broken
                self._events = [
                    broken[at] if at in broken else orjson.loads(line)
                    for at, line in enumerate(lines)
                ]
        return self._events

    def lines(self) -> list[bytes]:
        """The events as JSON lines, each ending in a newline."""
        if self._lines is None:
            if _JSONL in self._encoded:
                # one JSON line per event; orjson escapes every \n and \r
                self._lines = self._encoded[_JSONL].splitlines(True)
            else:
                self._lines = [dumps_line(event) for event in self.events()]
                for at, record in (self.broken or {}).items():
                    self._lines[at] = record.line
        return self._lines

    def encoded(self, encoder: Encoder) -> bytes:
        """The events as encoder writes them (JSON lines are kept as made)."""
        data = self._encoded.get(encoder.name)
        if data is None:
            if encoder.name == _JSONL:
                # Through lines() the batch keeps its lines until it is dropped:
                # freed at once, a run of ~1 KB lines made glibc return and
                # fetch the heap again for every batch (web into a file: 10.6 s
                # against 7.5 s).
                data = b"".join(self.lines())
            else:
                data = encoder.encode_many(self.events())
            self._encoded[encoder.name] = data
        return data

    def head(self, count: int) -> Batch:
        """The first count events only."""
        return self.slice(0, count)

    def slice(self, start: int, stop: int) -> Batch:
        """Events start .. stop-1, as dicts when the batch has them, else lines."""
        if start == 0 and stop >= len(self):
            return self
        times = None if self.times is None else self.times[start:stop]
        last = self.last if times is None or not times else times[-1]
        broken = {
            at - start: record
            for at, record in (self.broken or {}).items()
            if start <= at < stop
        }
        if self._events is not None:
            return Batch(
                self._events[start:stop], None, last, times=times, broken=broken
            )
        return Batch(None, self.lines()[start:stop], last, times=times, broken=broken)


def batch_keyed(
    keyed: Iterator[Keyed], size: int, span: float | None = None
) -> Iterator[Batch]:
    """The keyed stream in batches of size events; with span (a paced run),
    each batch keeps its events' times and ends once it covers that many
    simulated seconds (the run then gets its first events before the model
    has made `size`: a live run of journeys makes 2,048 in seconds)."""
    if span is not None:
        yield from _batch_keyed_with_times(keyed, size, span)
        return
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


def _batch_keyed_with_times(
    keyed: Iterator[Keyed], size: int, span: float
) -> Iterator[Batch]:
    events: list[dict[str, Any]] = []
    times: list[float] = []
    for moment, _, _, event in keyed:
        events.append(event)
        times.append(moment)
        if len(events) >= size or moment - times[0] >= span:
            yield Batch(events, None, moment, times=times)
            events, times = [], []
    if events:
        yield Batch(events, None, times[-1], times=times)


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
