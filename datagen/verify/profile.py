"""A stream's profile as rules: what a faulted record looks like next to the rest.

Each top-level field's share of records having it, of nulls and of each
JSON type, the magnitude of its numbers and the years of its dates, from
the records not already found faulted. "Nearly" below is RARE: a field that
has nulls (or lacks, or holds another type) in more than RARE of the
records does so by its nature, and is left alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from datagen.verify.reading import Stream

__all__ = ["RARE", "RANGE", "FAR", "Rules", "json_type", "profile"]

#: The most a field may lack, be null or hold another type in before these
#: are taken as the field's own ways rather than faults.
RARE = 0.02
#: A number is out of range past this many times its field's 99th
#: percentile magnitude, and at least FAR from zero...
RANGE = 5.0
FAR = 1000.0
#: ...and a date this many years from its field's middle year.
YEARS = 100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The records whose fields tell which text fields hold dates.
_FIRST = 20

#: JSON types by Python type (a table's other types go through json_type()).
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
class Rules:
    """What is a fault in one stream; shape() and out_of_range() apply them
    to a record, returning (kind, field, detail) or None."""

    #: Fields nearly every record has, and fields nearly none has.
    usual: frozenset[str]
    rare: frozenset[str]
    #: field -> the JSON types ("null" too) that are faults there.
    suspicious: dict[str, frozenset[str]]
    #: (number field, low, high): outside, a value is out of range.
    ranges: list[tuple[str, float, float]]
    #: (date field, middle year) of text fields holding dates.
    dates: list[tuple[str, int]]
    #: a record's field names -> (kind, field, detail) of its shape, or None.
    shapes: dict[tuple[str, ...], tuple[str, str | None, str] | None] = field(
        default_factory=dict
    )

    def shape(self, record: dict[str, Any]) -> tuple[str, str | None, str] | None:
        """malformed (a record cut short: two usual fields or more gone or
        null), drift (a usual field gone, a rare one there: renamed when
        both), null or wrong_type, in that order."""
        names = tuple(record)
        if names not in self.shapes:
            self.shapes[names] = self._drift(names)
        known = self.shapes[names]
        if known is not None:
            return known
        suspicious, kinds = self.suspicious, _TYPES
        found: tuple[str, str | None, str] | None = None
        nulls = 0
        for name, value in record.items():
            bad = suspicious.get(name)
            if bad is None:
                continue
            kind = kinds.get(type(value)) or json_type(value)
            if kind in bad:
                if kind == "null":
                    nulls += 1
                if found is None:
                    found = ("null" if kind == "null" else "wrong_type", name, kind)
        if nulls > 1:
            return ("malformed", None, "cut short: fields null")
        return found

    def _drift(self, names: tuple[str, ...]) -> tuple[str, str | None, str] | None:
        added = [name for name in names if name in self.rare]
        removed = sorted(self.usual - set(names))
        if len(removed) > 1 and not added:
            return ("malformed", None, "cut short: fields missing")
        if not (added or removed):
            return None
        how = "renamed" if added and removed else "added" if added else "removed"
        return ("drift", (removed or added)[0], how)

    def out_of_range(self, record: dict[str, Any]) -> tuple[str, str] | None:
        """(field, value as text) of a number or date out of its range."""
        for name, low, high in self.ranges:
            value: Any = record.get(name)
            if type(value) in (int, float) and not low <= value <= high:  # NaN too
                return name, str(value)
        for name, year in self.dates:
            value = record.get(name)
            if not (isinstance(value, str) and _DATE.match(value)):
                continue
            if abs(int(value[:4]) - year) > YEARS:
                return name, value
        return None


def profile(stream: Stream, skip: Collection[int]) -> Rules:
    """The rules of stream, from its records not in skip."""
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
    return Rules(
        usual,
        frozenset(n for n, count in present.items() if count <= few),
        suspicious,
        [(name, *_bounds(values, few)) for name, values in numbers.items()],
        _date_fields(stream, skip, types, few),
    )


def _bounds(values: list[float], few: float) -> tuple[float, float]:
    """A number field's range: RANGE times its 99th percentile magnitude (a
    few outliers, the faults, do not move it) and at least FAR either side;
    not below zero when nearly no value is."""
    magnitudes = sorted(abs(v) for v in values if math.isfinite(v))
    typical = magnitudes[int(0.99 * (len(magnitudes) - 1))] if magnitudes else 0.0
    high = max(RANGE * typical, FAR)
    negative = sum(1 for v in values if v < 0)
    return (0.0 if negative <= few else -high), high


def _date_fields(
    stream: Stream,
    skip: Collection[int],
    types: dict[str, Counter[str]],
    few: float,
) -> list[tuple[str, int]]:
    """(field, middle year) of the text fields whose texts are dates (those
    of the first clean records are, and nearly all of the rest)."""
    clean = [(i, r) for i, r in stream.dicts() if i not in skip]
    first = [record for _, record in clean[:_FIRST]]
    years: dict[str, list[int]] = {
        name: []
        for name, counts in types.items()
        if counts["string"] > few
        and all(_is_date(record.get(name)) for record in first)
    }
    for _, record in clean if years else ():
        for name, found in years.items():
            value = record.get(name)
            if isinstance(value, str) and _DATE.match(value):
                found.append(int(value[:4]))
    return [
        (name, sorted(found)[len(found) // 2])
        for name, found in years.items()
        if found and len(found) >= types[name]["string"] - few
    ]


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _DATE.match(value) is not None
