"""Faulted records found in a stream from its data alone, as an independent
reader would find them, to be compared with the faults manifest.

Each record gets at most one kind, the first that fits in this order:

- malformed: a line that is not a JSON object, or a record cut short (two
  usual fields or more missing, or null where they never are);
- duplicate: the same record as an earlier one (`original`: its index);
- drift: a field missing that nearly every record has, or one present that
  nearly none has (renamed: both at once);
- null: null in a field nearly never null;
- wrong_type: a value of a JSON type the field nearly never has;
- dangling: a reference to a parent key that the parent stream lacks (before
  out_of_range: a made-up id may be far from the others);
- out_of_range: a number below zero in a field otherwise never negative, or
  far past the field's magnitude; a date a century from the field's others;
- late: a time exactly the lag (to the millisecond) before the watermark,
  the latest time before it (of the clean records, or of every readable
  one: a stream in time order has the one, another the other);
- out_of_order: a time before the previous time of its key (inside a change
  envelope's image).

"Nearly" (at most RARE of the records, or one and a half times the run's
highest fault rate when higher), "far" and the profile they come from:
profile.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from datagen.faults.spec import DEFAULT_LAG_SECONDS
from datagen.verify.profile import RARE, Rules, profile
from datagen.verify.reading import Malformed, Stream
from datagen.verify.values import MISSING, epoch, field_value, hashable, key_of

__all__ = ["Anomaly", "Expectations", "detect"]

#: Times are written to the millisecond: a late time is the lag before the
#: watermark to within that.
_MILLISECOND = 0.0015


@dataclass(frozen=True)
class Anomaly:
    index: int
    kind: str
    field: str | None = None
    original: Any = None
    detail: str = ""


@dataclass
class Expectations:
    """What the reader knows of the stream besides its records."""

    time_field: str | None = None
    #: out_of_order: a time before the previous one of the same key.
    key_field: str | None = None
    #: late: older than the watermark (the latest clean time) by this much.
    lag: float = DEFAULT_LAG_SECONDS
    #: field -> the parent's keys, for dangling references.
    parents: Mapping[str, Collection[Any]] = field(default_factory=dict)
    #: The share of records below which a shape, null or type is a fault.
    rare: float = RARE


def rare_share(rates: Iterable[float], listed: Iterable[str], size: int) -> float:
    """The share below which a way of a field reads as a fault: RARE, or
    1.5x the highest fault rate, from the run's spec or, without one, as
    the faults manifest lists them (a 2% malformed rate leaves 2% of a
    Parquet file's later cells null: at RARE they would look usual)."""
    shares = [count / max(size, 1) for count in Counter(listed).values()]
    return max([RARE, *(1.5 * rate for rate in rates), *(1.5 * s for s in shares)])


def detect(stream: Stream, expect: Expectations) -> dict[int, Anomaly]:
    """The anomalies of stream by index, at most one per record."""
    found: dict[int, Anomaly] = {}
    first_seen: dict[bytes, int] = {}
    for index, record in enumerate(stream.records):
        if isinstance(record, Malformed):
            found[index] = Anomaly(index, "malformed", detail=record.reason)
            continue
        canonical = orjson.dumps(record, option=orjson.OPT_SORT_KEYS, default=str)
        original = first_seen.setdefault(canonical, index)
        if original != index:
            found[index] = Anomaly(index, "duplicate", original=original)
    rules = _profile_without_cut_rows(stream, found, expect.rare)
    for index, record in stream.dicts():
        if index in found:
            continue
        shape = rules.shape(record)
        if shape is not None:
            found[index] = Anomaly(index, shape[0], shape[1], detail=shape[2])
            continue
        anomaly = _dangling(index, record, expect)
        if anomaly is not None:
            found[index] = anomaly
            continue
        far = rules.out_of_range(record)
        if far is not None:
            found[index] = Anomaly(index, "out_of_range", far[0], detail=far[1])
    if expect.time_field:
        _times(stream, expect, found)
    return found


def _profile_without_cut_rows(
    stream: Stream, known: dict[int, Anomaly], rare: float
) -> Rules:
    """The stream's rules, profiled again without the records the first
    profile finds cut short: in a table-like output (Parquet) a malformed
    record is a row whose later fields are null, always the same fields, so
    those fields' nulls would otherwise look common and hide null faults."""
    rules = profile(stream, known, rare)
    cut = {
        index
        for index, record in stream.dicts()
        if index not in known and (rules.shape(record) or ("",))[0] == "malformed"
    }
    return profile(stream, {*known, *cut}, rare) if cut else rules


def _dangling(
    index: int, record: dict[str, Any], expect: Expectations
) -> Anomaly | None:
    for name, keys in expect.parents.items():
        value = field_value(record, name)
        if value is not MISSING and value is not None and hashable(value) not in keys:
            return Anomaly(index, "dangling", name, detail=str(value))
    return None


def _times(stream: Stream, expect: Expectations, found: dict[int, Anomaly]) -> None:
    """late and out_of_order, in output order (see the module's docstring)."""
    assert expect.time_field is not None
    time_field, key_field, lag = expect.time_field, expect.key_field, expect.lag
    clean_mark = every_mark = -math.inf
    last: dict[Any, float] = {}
    for index, record in stream.dicts():
        moment = epoch(field_value(record, time_field))
        if moment is None:
            continue
        if index in found:
            every_mark = max(every_mark, moment)
            continue
        if (
            abs(clean_mark - lag - moment) <= _MILLISECOND
            or abs(every_mark - lag - moment) <= _MILLISECOND
        ):
            found[index] = Anomaly(index, "late", time_field)
            continue
        every_mark = max(every_mark, moment)
        key = hashable(key_of(record, key_field)) if key_field else None
        if moment < last.get(key, -math.inf):
            found[index] = Anomaly(index, "out_of_order", time_field)
            continue
        clean_mark = max(clean_mark, moment)
        last[key] = moment
