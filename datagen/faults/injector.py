"""Faults put into one stream of records, in output order: seeded, at most one a record.

The injector takes the stream's records as they come (dicts, or JSON lines
as workers encode them) and gives them back faulted. One RNG, seeded from
the run's seed and the stream's name, is drawn in output order, and every
decision looks at positions in the output only, never at how the records
were batched: the same seed gives the same faults whatever `--workers`.
Only faulted records are touched: the gap to the next one is drawn
(geometric, at the sum of the rates), then its kind. A batch run holds the
last HOLD records back, so `out_of_order` can look ahead for the next record
of the same key; a paced run holds none (it looks ahead within what it has).

The module is long because the stream's bookkeeping is one piece: records
held and written, positions reserved by records moved ahead, insertions,
the watermark, and the entries each fault leaves for the manifest.
"""

from __future__ import annotations

import math
import random
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson

from datagen.encoders import MalformedRecord, dumps_line
import datagen.faults.values as values
from datagen.faults.manifest import FaultLog
from datagen.faults.spec import FaultSpec
from datagen.faults.stream import StreamShape
from datagen.seeding import derive_seed
from datagen.timefmt import epoch_seconds

#: Records out_of_order looks ahead for the next record of the same key.
LOOKAHEAD = 256
#: Records a fault moves on to when a record has nothing it can change.
TRIES = 8
#: Records a batch run holds back (enough for TRIES, then LOOKAHEAD).
HOLD = LOOKAHEAD + TRIES
#: Written records kept: a duplicate copies one of them.
HISTORY = 128
#: At most this many records back is the record a duplicate copies.
DUPLICATE_REACH = 100
#: The stream's first records, whose null fields the null fault leaves alone.
SAMPLE = 64
_NEVER = sys.maxsize
_UNKNOWN = object()


@dataclass
class Emitted:
    """Records ready to write, in the form they came in (`lines`: JSON
    lines, else dicts), with their times when kept and the broken ones
    (malformed) by position."""

    items: list[Any]
    times: list[float] | None
    lines: bool
    broken: dict[int, MalformedRecord] = field(default_factory=dict)


class FaultInjector:
    """Faults of `spec` in the stream `shape` describes; feed() each run of
    records, finish() at the end; the faults written go to `log`."""

    def __init__(
        self,
        spec: FaultSpec,
        shape: StreamShape,
        seed: int,
        log: FaultLog,
        paced: bool = False,
    ) -> None:
        shape.check(spec)
        self.spec, self.shape, self.log = spec, shape, log
        self.rng = random.Random(derive_seed(seed, "faults", shape.name))
        self._kinds = spec.active()
        self.hold = 0 if paced or not self._kinds else HOLD
        self._bounds = list(accumulate(spec.rates[kind] for kind in self._kinds))
        self._total = self._bounds[-1] if self._bounds else 0.0
        self._buffer: list[Any] = []
        self._times: list[float] | None = None
        #: Each held record's key, for out_of_order only (JSON lines:
        #: _UNKNOWN, the lines themselves are searched).
        self._keys: list[Any] | None = [] if "out_of_order" in self._kinds else None
        self._lines: bool | None = None
        self._base = 0  # output position of _buffer[0]
        self._history: list[Any] = []
        #: Positions ahead that no fault may take, by position: a record moved
        #: there (its manifest entry), or the record it was moved after (None).
        self._reserved: dict[int, dict[str, Any] | None] = {}
        #: Reserved positions the faults have passed: they move no more.
        self._passed: dict[int, dict[str, Any] | None] = {}
        self._broken: dict[int, MalformedRecord] = {}
        self._faulted: set[int] = set()
        self._pending: list[dict[str, Any]] = []
        self._nullable: frozenset[str] | None = None
        self._protected: frozenset[str] = frozenset()
        self._tracks_time = "late" in self._kinds and not shape.ordered
        self._scanned = 0
        self._latest: tuple[float, Any] | None = None
        self._next = self._gap(0)

    # Feeding

    def feed(
        self, items: list[Any], times: list[float] | None, lines: bool
    ) -> Emitted | None:
        """Take records (JSON lines when `lines`, else dicts) and their times
        (a paced run's); returns what can be written now, or None."""
        if self._lines is None:
            self._lines = lines
        self._buffer.extend(items)
        if self._keys is not None:
            self._keys.extend(self._keys_of(items))
        if times is not None:
            if self._times is None:
                self._times = []
            self._times.extend(times)
        self._run(final=False)
        return self._emit(self._end - self.hold)

    def finish(self) -> Emitted | None:
        """The stream has ended: fault and return what is held."""
        self._run(final=True)
        return self._emit(self._end)

    @property
    def lines(self) -> bool | None:
        """True when records are kept as JSON lines, False as dicts, None
        before the first."""
        return self._lines

    def settle(self, written: int) -> None:
        """Only `written` records reached the output: the log forgets the rest."""
        self.log.settle(written)

    @property
    def _end(self) -> int:
        return self._base + len(self._buffer)

    # Drawing

    def _gap(self, start: int) -> int:
        """Where the next fault goes: clean records until then are geometric."""
        if self._total <= 0:
            return _NEVER
        if self._total >= 1:
            return start
        clean = math.log(1.0 - self.rng.random()) / math.log1p(-self._total)
        return start + int(clean)

    def _kind(self) -> str:
        at = bisect_right(self._bounds, self.rng.random() * self._total)
        return self._kinds[min(at, len(self._kinds) - 1)]

    def _run(self, final: bool) -> None:
        """Fault every slot that has its look-ahead in hand."""
        if not self._buffer or self._next == _NEVER:
            return
        if self._nullable is None:
            if not final and len(self._buffer) <= self.hold:
                return
            self._learn()
        while True:
            while self._next in self._reserved:
                self._next += 1
            limit = self._end if final else self._end - self.hold
            if self._next >= limit:
                return
            self._next = self._gap(self._apply(self._kind(), self._next))

    def _learn(self) -> None:
        """The fields the stream's source left out, found in its first
        record; which fields its first records leave null."""
        first = self._record(self._base)
        self.shape = self.shape.complete(first)
        self.shape.check(self.spec)
        self._protected = self.shape.protected()
        if self._keys is not None and not self._lines:
            self._keys = self._keys_of(self._buffer)
        sample = range(self._base, self._base + min(SAMPLE, len(self._buffer)))
        self._nullable = frozenset(
            name
            for at in sample
            for name, value in self._record(at).items()
            if value is None
        )

    # Applying

    def _apply(self, kind: str, at: int) -> int:
        """Fault `kind` at position `at` (or a little after); returns where
        the count to the next fault starts."""
        if kind == "duplicate":
            return self._duplicate(at)
        if kind == "out_of_order":
            return self._out_of_order(at)
        stop = min(at + TRIES, self._end)
        for place in range(at, stop):
            if place in self._reserved:
                continue
            record = self._record(place)
            change = self._change(kind, place, record)
            if change is not None:
                self._put(place, kind, record, change)
                return place + 1
        return stop

    def _change(
        self, kind: str, at: int, record: dict[str, Any]
    ) -> values.Change | None:
        rng, protected = self.rng, self._protected
        if kind == "null":
            return values.null(record, rng, protected, self._nullable or ())
        if kind == "wrong_type":
            return values.wrong_type(record, rng, protected)
        if kind == "out_of_range":
            return values.out_of_range(record, rng, protected)
        if kind == "drift":
            return values.drift(record, rng, protected)
        if kind == "dangling":
            return values.dangling(record, rng, list(self.shape.references))
        if kind == "late":
            time_field = self.shape.time_field
            assert time_field is not None  # checked by _learn
            return values.late(record, time_field, self._watermark(at), self.spec.lag)
        line = self._item(at) if self._lines else dumps_line(record)
        return values.malformed(record, line, rng, protected)

    def _put(
        self, at: int, kind: str, record: dict[str, Any], change: values.Change
    ) -> None:
        faulted = change.record
        if isinstance(faulted, MalformedRecord):
            self._broken[at] = faulted
            item: Any = faulted.line if self._lines else faulted
        else:
            item = dumps_line(faulted) if self._lines else faulted
        self._buffer[at - self._base] = item
        self._faulted.add(at)
        entry = self._entry(kind, record, change.field, change.original)
        entry["index"] = at
        if change.change is not None:
            entry["change"] = change.change
        self._pending.append(entry)

    def _entry(
        self, kind: str, record: dict[str, Any], name: str | None, original: Any
    ) -> dict[str, Any]:
        key_field = self.shape.key_field
        return {
            "index": -1,
            "fault": kind,
            "stream": self.shape.name,
            "key": None if key_field is None else _key(record, key_field),
            "field": name,
            "original": original,
        }

    def _duplicate(self, at: int) -> int:
        """An exact copy of a clean record among the DUPLICATE_REACH records
        up to `at` (it may be `at` itself), inserted right after `at`."""
        lowest = max(self._base - len(self._history), 0)
        reach = min(DUPLICATE_REACH, at + 1 - lowest)
        source = at - self.rng.randrange(reach)
        while source >= lowest and self._is_faulted(source):
            source -= 1
        if source < lowest:
            return at + 1
        place = at + 1
        offset = place - self._base
        item = self._item(source)
        self._buffer.insert(offset, item)
        if self._keys is not None:
            self._keys.insert(offset, self._keys_of([item])[0])
        if self._times is not None:
            self._times.insert(offset, self._times[offset - 1])
        self._shift(place, _NEVER, 1)
        self._faulted.add(place)
        entry = self._entry("duplicate", self._record(source), None, source)
        entry["index"] = place
        self._pending.append(entry)
        return place + 1

    def _out_of_order(self, at: int) -> int:
        """A record held back until just after the next record of its key
        (within LOOKAHEAD) with a later time: it then comes after a later
        event of its key. That record is kept clean, so the order shows."""
        key_field, time_field = self.shape.key_field, self.shape.time_field
        assert key_field is not None and time_field is not None  # see _learn
        stop = min(at + TRIES, self._end)
        for place in range(at, stop):
            if place in self._reserved:
                continue
            record = self._record(place)
            key = record.get(key_field)
            moment = epoch_seconds(record.get(time_field))
            if key is None or moment is None:
                continue
            partner = self._partner(place, key_field, key, moment)
            if partner is None:
                continue
            offset = place - self._base
            item = self._buffer.pop(offset)
            self._buffer.insert(partner - self._base, item)
            assert self._keys is not None
            self._keys.insert(partner - self._base, self._keys.pop(offset))
            if self._times is not None:
                self._times.pop(offset)
                self._times.insert(
                    partner - self._base, self._times[partner - 1 - self._base]
                )
            self._shift(place + 1, partner, -1)
            self._reserved[partner - 1] = None  # the later event it now follows
            self._reserved[partner] = self._entry(
                "out_of_order", record, time_field, place
            )
            return place  # `place` now holds the record that was after it
        return stop

    def _partner(self, at: int, key_field: str, key: Any, moment: float) -> int | None:
        """The next record of the same key after `at` with a later time, not
        itself moved or kept."""
        base, keys = self._base, self._keys
        assert keys is not None
        start = at + 1 - base
        stop = min(at + LOOKAHEAD, self._end - 1) + 1 - base
        if self._lines:
            return self._partner_line(start, stop, key_field, key, moment)
        while True:
            try:
                found = keys.index(key, start, stop)
            except ValueError:
                return None
            start = found + 1
            if self._later(found, moment):
                return found + base

    def _partner_line(
        self, start: int, stop: int, key_field: str, key: Any, moment: float
    ) -> int | None:
        """_partner() in JSON lines (buffer offsets start..stop-1): a line
        holding `"<key_field>":<key>` anywhere is parsed, and is the partner
        only when its top-level key is `key` (as with dicts, so the faults
        are the same whatever `--workers`)."""
        buffer = self._buffer
        needle = b'"' + key_field.encode() + b'":' + orjson.dumps(key)
        for offset in range(start, stop):
            if needle in buffer[offset] and self._later(offset, moment, key_field, key):
                return offset + self._base
        return None

    def _later(
        self,
        offset: int,
        moment: float,
        key_field: str | None = None,
        key: Any = None,
    ) -> bool:
        """True when the held record at `offset` may be the partner: not
        moved or kept, later than `moment` (and, for a JSON line, of `key`
        at the top level, not only in a nested field of that name)."""
        if offset + self._base in self._reserved:
            return False
        record = self._buffer[offset]
        if self._lines:
            record = orjson.loads(record)
            if record.get(key_field) != key:
                return False
        later = epoch_seconds(record.get(self.shape.time_field))
        return later is not None and later > moment

    def _keys_of(self, items: list[Any]) -> list[Any]:
        """The keys of records (dicts), or _UNKNOWN for JSON lines (see
        _partner_line)."""
        if self._lines:
            return [_UNKNOWN] * len(items)
        key_field = self.shape.key_field
        if key_field is None:  # not found yet: see _learn
            return [_UNKNOWN] * len(items)
        return [item.get(key_field) for item in items]

    # Time

    def _watermark(self, at: int) -> Any:
        """The latest event time written before `at`: in a time-ordered
        stream, the latest back to the last clean record (the records before
        it are no later); else the latest of every record's."""
        time_field = self.shape.time_field
        assert time_field is not None
        if self._tracks_time:
            self._scan(at)
            if self._latest is not None:
                return self._latest[1]
            return self._record(at).get(time_field)
        latest: tuple[float, Any] | None = None
        lowest = max(self._base - len(self._history), 0)
        for place in range(at - 1, lowest - 1, -1):
            value = self._time_at(place, time_field)
            seconds = epoch_seconds(value)
            if seconds is not None and (latest is None or seconds > latest[0]):
                latest = (seconds, value)
            if not self._is_faulted(place):
                break
        return self._record(at).get(time_field) if latest is None else latest[1]

    def _scan(self, upto: int) -> None:
        """The latest time of the records before `upto` (unordered streams)."""
        time_field = self.shape.time_field
        for place in range(max(self._scanned, self._base), upto):
            if time_field is None:
                break
            value = self._time_at(place, time_field)
            seconds = epoch_seconds(value)
            if seconds is not None and (
                self._latest is None or seconds > self._latest[0]
            ):
                self._latest = (seconds, value)
        self._scanned = max(self._scanned, upto)

    # Records by position

    def _is_faulted(self, at: int) -> bool:
        """True for a faulted record (written, or moved ahead)."""
        return (
            at in self._faulted
            or self._reserved.get(at) is not None
            or self._passed.get(at) is not None
        )

    def _shift(self, low: int, high: int, step: int) -> None:
        """Reserved positions low..high move by step (a record inserted or
        taken out); those before low are passed and set apart, so the
        reserved ones stay few."""
        moved: dict[int, dict[str, Any] | None] = {}
        for spot, entry in self._reserved.items():
            if spot < low:
                self._passed[spot] = entry
            else:
                moved[spot + step if spot <= high else spot] = entry
        self._reserved = moved

    def _item(self, at: int) -> Any:
        if at >= self._base:
            return self._buffer[at - self._base]
        return self._history[at - self._base]

    def _time_at(self, at: int, time_field: str) -> Any:
        """The time of the record at `at`; None for a broken one."""
        item = self._item(at)
        if isinstance(item, MalformedRecord):
            return None
        try:
            return self._record(at).get(time_field)
        except orjson.JSONDecodeError:  # a broken line
            return None

    def _record(self, at: int) -> dict[str, Any]:
        item = self._item(at)
        if self._lines:
            loaded: dict[str, Any] = orjson.loads(item)
            return loaded
        return item

    # Writing

    def _emit(self, upto: int) -> Emitted | None:
        """The records before `upto`, which no fault will touch again."""
        count = upto - self._base
        if count <= 0 or self._lines is None:
            return None
        if self._tracks_time:
            self._scan(upto)
        items = self._buffer[:count]
        del self._buffer[:count]
        if self._keys is not None:
            del self._keys[:count]
        times = None
        if self._times is not None:
            times = self._times[:count]
            del self._times[:count]
        base = self._base
        broken = {
            at - base: self._broken.pop(at)
            for at in sorted(at for at in self._broken if at < upto)
        }
        self._shift(upto, _NEVER, 0)
        for at in sorted(self._passed):
            entry = self._passed.pop(at)
            if entry is not None:
                entry["index"] = at
                self._faulted.add(at)
                self._pending.append(entry)
        done = sorted(
            (entry for entry in self._pending if entry["index"] < upto),
            key=lambda entry: int(entry["index"]),
        )
        self._pending = [entry for entry in self._pending if entry["index"] >= upto]
        self.log.add(done)
        self._history = (self._history + items[-HISTORY:])[-HISTORY:]
        self._faulted = {at for at in self._faulted if at >= upto - HISTORY}
        self._base = upto
        return Emitted(items, times, bool(self._lines), broken)


def _key(record: dict[str, Any], key_field: str) -> Any:
    """The record's key; a change envelope's is in its after (or before) image."""
    key = record.get(key_field)
    if key is None:
        image = record.get("after") or record.get("before")
        if isinstance(image, dict):
            key = image.get(key_field)
    return key
