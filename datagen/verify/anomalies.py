"""Faulted records found in a stream from its data alone, as an independent
reader would find them, to be compared with the faults manifest.

The stream is profiled first (duplicates and malformed lines left out):
each top-level field's share of records having it, of nulls, and of each
JSON type. Then each record gets at most one kind, the first that fits in
this order:

- malformed: a line that is not a JSON object;
- duplicate: the same record as an earlier one (`original`: its index);
- drift: a field missing that nearly every record has, or one present that
  nearly none has (renamed: both at once);
- null: null in a field nearly never null;
- wrong_type: a value of a JSON type the field nearly never has;
- dangling: a reference to a parent key that the parent stream lacks (before
  out_of_range: a made-up id may be far from the others);
- out_of_range: a number below zero in a field never negative otherwise, or
  more than RANGE times the field's largest typical magnitude;
- late: a time older than the stream's watermark (the latest time of the
  clean records before it) by the lag or more; out_of_order: a time before
  the previous time of its key, by less.

"Nearly" is RARE: a field that has nulls (or lacks) in more than RARE of
the records is one that may, and is left alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from datagen.faults.spec import DEFAULT_LAG_SECONDS
from datagen.verify.reading import Malformed, Stream
from datagen.verify.values import MISSING, epoch, field_value, hashable

__all__ = ["Anomaly", "Expectations", "detect", "RARE", "RANGE"]

#: The most a field may lack, be null or hold another type in before these
#: are taken as the field's own ways rather than faults.
RARE = 0.02
#: How far past a field's typical magnitude a number is out of range.
RANGE = 1000.0
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


#: JSON types by Python type (a table's other types fall to json_type()).
_TYPES = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}


def json_type(value: Any) -> str:
    kind = _TYPES.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__


@dataclass
class _Rules:
    """What is a fault in this stream, from its profile."""

    #: Fields nearly every record has, and fields nearly none has.
    usual: frozenset[str]
    rare: frozenset[str]
    #: field -> the JSON types ("null" too) that are faults there.
    suspicious: dict[str, frozenset[str]]
    #: (number field, low, high): outside, a value is out of range.
    ranges: list[tuple[str, float, float]]
    #: key tuple of a record -> its drift (None: none), worked out once.
    shapes: dict[tuple[str, ...], tuple[str, str] | None] = field(default_factory=dict)


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
    rules = _rules(stream, found)
    for index, record in stream.dicts():
        if index not in found:
            anomaly = (
                _shape(index, record, rules)
                or _dangling(index, record, expect)
                or _out_of_range(index, record, rules)
            )
            if anomaly is not None:
                found[index] = anomaly
    if expect.time_field:
        _times(stream, expect, found)
    return found


def _rules(stream: Stream, skip: Collection[int]) -> _Rules:
    """The profile of the records not in skip, as rules."""
    records = 0
    present: Counter[str] = Counter()
    types: dict[str, Counter[str]] = {}
    numbers: dict[str, list[float]] = {}
    kinds = _TYPES
    for index, record in stream.dicts():
        if index in skip:
            continue
        records += 1
        present.update(record.keys())
        for name, value in record.items():
            kind = kinds.get(type(value)) or json_type(value)
            counts = types.get(name)
            if counts is None:
                counts = types[name] = Counter()
            counts[kind] += 1
            if kind == "number":
                numbers.setdefault(name, []).append(value)
    few = RARE * records
    usual = frozenset(n for n, count in present.items() if count >= records - few)
    suspicious = {}
    for name, counts in types.items():
        values = [(n, kind) for kind, n in counts.items() if kind != "null"]
        dominant = max(values)[1] if values else "null"
        bad = {kind for kind, n in counts.items() if n <= few and kind != dominant}
        if name not in usual:
            bad.discard("null")
        if bad:
            suspicious[name] = frozenset(bad)
    return _Rules(
        usual,
        frozenset(n for n, count in present.items() if count <= few),
        suspicious,
        [(name, *_bounds(values, few)) for name, values in numbers.items()],
    )


def _bounds(values: list[float], few: float) -> tuple[float, float]:
    """A number field's range: RANGE times its 99th percentile magnitude
    (a few outliers, the faults, do not move it), and not below zero when
    nearly no value is."""
    magnitudes = sorted(abs(v) for v in values if math.isfinite(v))
    typical = (
        max(magnitudes[int(0.99 * (len(magnitudes) - 1))], 1.0) if magnitudes else 1.0
    )
    negative = sum(1 for v in values if v < 0)
    return (0.0 if negative <= few else -RANGE * typical), RANGE * typical


def _shape(index: int, record: dict[str, Any], rules: _Rules) -> Anomaly | None:
    """drift, null or wrong_type, in that order."""
    names = tuple(record)
    if names not in rules.shapes:
        added = [name for name in names if name in rules.rare]
        removed = sorted(rules.usual - set(names))
        how = "renamed" if added and removed else "added" if added else "removed"
        rules.shapes[names] = ((removed or added)[0], how) if added or removed else None
    drift = rules.shapes[names]
    if drift is not None:
        return Anomaly(index, "drift", drift[0], detail=drift[1])
    suspicious, kinds = rules.suspicious, _TYPES
    for name, value in record.items():
        bad = suspicious.get(name)
        if bad is not None:
            kind = kinds.get(type(value)) or json_type(value)
            if kind in bad:
                fault = "null" if kind == "null" else "wrong_type"
                return Anomaly(index, fault, name, detail=kind)
    return None


def _out_of_range(index: int, record: dict[str, Any], rules: _Rules) -> Anomaly | None:
    for name, low, high in rules.ranges:
        value: Any = record.get(name)
        if type(value) in (int, float) and not low <= value <= high:  # NaN too
            return Anomaly(index, "out_of_range", name, detail=str(value))
    return None


def _dangling(
    index: int, record: dict[str, Any], expect: Expectations
) -> Anomaly | None:
    for name, keys in expect.parents.items():
        value = field_value(record, name)
        if value is not MISSING and value is not None and hashable(value) not in keys:
            return Anomaly(index, "dangling", name, detail=str(value))
    return None


def _times(stream: Stream, expect: Expectations, found: dict[int, Anomaly]) -> None:
    """late and out_of_order, in output order, against the times of the
    records found clean so far (a faulted time never raises the watermark)."""
    assert expect.time_field is not None
    time_field, key_field = expect.time_field, expect.key_field
    # Times are written to the millisecond: a lag measured on them may be
    # short of the lag by that much.
    lag = expect.lag - _MILLISECOND
    watermark = -math.inf
    last: dict[Any, float] = {}
    for index, record in stream.dicts():
        if index in found:
            continue
        moment = epoch(field_value(record, time_field))
        if moment is None:
            continue
        key = hashable(field_value(record, key_field)) if key_field else None
        previous = last.get(key, -math.inf)
        if watermark - moment >= lag:
            found[index] = Anomaly(index, "late", time_field)
        elif moment < previous:
            found[index] = Anomaly(index, "out_of_order", time_field)
        else:
            watermark = max(watermark, moment)
            last[key] = moment
