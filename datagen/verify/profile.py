"""A stream's profile as rules: what a faulted record looks like next to the rest.

The shapes of its records (their sets of field names), each family's
shares of nulls and of each JSON type by field, the magnitude of each
number field and the years of each date field, from the records not
already found faulted. "Nearly" below is RARE: a shape, a null or a type
more common than that is the stream's own way, and is left alone.
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
#: A negative number is out of range past this many times its field's 90th
#: percentile magnitude, and at least FAR from zero...
RANGE = 5.0
FAR = 1000.0
#: ...and a date this many years from its field's middle year.
YEARS = 100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The records whose fields tell which text fields hold dates.
_FIRST = 20
#: The fewest records of a shape that other shapes may be faults of.
_FAMILY = 5

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


Shape = frozenset[str]
Finding = tuple[str, "str | None", str]


@dataclass
class Rules:
    """What is a fault in one stream; shape() and out_of_range() apply them
    to a record.

    Records come in shapes (the set of their field names): a shape nearly
    no record has, one field away from a common one, is that one drifted
    (two fields or more missing: cut short, malformed); every other shape
    is a family of its own (an event type), with its own nulls and types.
    """

    #: shape -> (kind, field, detail) of a shape that is a fault.
    edits: dict[Shape, Finding]
    #: family shape -> field -> the JSON types ("null" too) that are faults there.
    suspicious: dict[Shape, dict[str, frozenset[str]]]
    #: (number field, low, high): outside, a value is out of range.
    ranges: list[tuple[str, float, float]]
    #: (date field, middle year) of text fields holding dates.
    dates: list[tuple[str, int]]
    #: a record's field names, in order -> its shape (worked out once).
    shapes: dict[tuple[str, ...], Shape] = field(default_factory=dict)

    def shape_of(self, record: dict[str, Any]) -> Shape:
        names = tuple(record)
        found = self.shapes.get(names)
        if found is None:
            found = self.shapes[names] = frozenset(names)
        return found

    def shape(self, record: dict[str, Any]) -> Finding | None:
        """malformed (a record cut short: fields of its family missing, or
        null in two fields or more never null), drift, null or wrong_type,
        in that order."""
        shape = self.shape_of(record)
        edit = self.edits.get(shape)
        if edit is not None:
            return edit
        suspicious, kinds = self.suspicious.get(shape, {}), _TYPES
        found: Finding | None = None
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


def profile(stream: Stream, skip: Collection[int], rare: float = RARE) -> Rules:
    """The rules of stream, from its records not in skip; rare: the share
    of records below which a way of a field is a fault (RARE, or more when
    the run's fault rates are higher)."""
    counted: Counter[tuple[str, ...]] = Counter()
    for index, record in stream.dicts():
        if index not in skip:
            counted[tuple(record)] += 1
    sizes: Counter[Shape] = Counter()
    for names, count in counted.items():
        sizes[frozenset(names)] += count
    edits = _edits(sizes, rare)
    rules = Rules(edits, {}, [], [])
    types: dict[Shape, dict[str, Counter[str]]] = {}
    numbers: dict[str, list[float]] = {}
    kinds = _TYPES
    for index, record in stream.dicts():
        if index in skip:
            continue
        shape = rules.shape_of(record)
        if shape in edits:
            continue
        family = types.get(shape)
        if family is None:
            family = types[shape] = {}
        for name, value in record.items():
            kind = kinds.get(type(value)) or json_type(value)
            counts = family.get(name)
            if counts is None:
                counts = family[name] = Counter()
            counts[kind] += 1
            if kind == "number":
                numbers.setdefault(name, []).append(value)
    for shape, family in types.items():
        rules.suspicious[shape] = _suspicious(family, rare * sizes[shape])
    records = sum(sizes.values())
    rules.ranges = [
        (name, *_bounds(values, rare * records)) for name, values in numbers.items()
    ]
    rules.dates = _date_fields(stream, skip, rare * records)
    return rules


def _edits(sizes: Counter[Shape], rare: float) -> dict[Shape, Finding]:
    """The shapes that are faults: nearly no record has one, and it is one
    field away from a common shape (drift: removed, added or renamed), or
    two or more missing from it (malformed: cut short)."""
    families: list[tuple[Shape, int]] = []
    edits: dict[Shape, Finding] = {}
    for shape, count in sizes.most_common():
        for family, size in families:
            if size < _FAMILY or count > max(rare * size, 1):
                continue
            gone, new = sorted(family - shape), sorted(shape - family)
            if len(gone) > 1 and not new:
                edits[shape] = ("malformed", None, "cut short: fields missing")
                break
            if len(gone) <= 1 and len(new) <= 1:
                how = "renamed" if gone and new else "removed" if gone else "added"
                edits[shape] = ("drift", (gone or new)[0], how)
                break
        else:
            families.append((shape, count))
    return edits


def _suspicious(
    family: dict[str, Counter[str]], few: float
) -> dict[str, frozenset[str]]:
    """field -> the types (null too) nearly no record of the family has,
    but the field's usual one."""
    found = {}
    for name, counts in family.items():
        values = [(n, kind) for kind, n in counts.items() if kind != "null"]
        dominant = max(values)[1] if values else "null"
        bad = {kind for kind, n in counts.items() if n <= few and kind != dominant}
        if bad:
            found[name] = frozenset(bad)
    return found


def _bounds(values: list[float], few: float) -> tuple[float, float]:
    """A number field's range. Below zero: RANGE times its 90th percentile
    magnitude (faults do not move it) and at least FAR, or zero when nearly
    no value is negative. Above: a thousand times that."""
    magnitudes = sorted(abs(v) for v in values if math.isfinite(v))
    typical = magnitudes[int(0.9 * (len(magnitudes) - 1))] if magnitudes else 0.0
    reach = max(RANGE * typical, FAR)
    negative = sum(1 for v in values if v < 0)
    return (0.0 if negative <= few else -reach), 1000 * reach


def _date_fields(
    stream: Stream, skip: Collection[int], few: float
) -> list[tuple[str, int]]:
    """(field, middle year) of the text fields whose texts are dates (those
    of the first clean records are, and nearly all of the rest)."""
    clean = [(i, r) for i, r in stream.dicts() if i not in skip]
    first = [record for _, record in clean[:_FIRST]]
    names = set(first[0]) if first else set()
    years: dict[str, list[int]] = {
        name: [] for name in names if all(_is_date(r.get(name)) for r in first)
    }
    texts: Counter[str] = Counter()
    for _, record in clean if years else ():
        for name, found in years.items():
            value = record.get(name)
            if isinstance(value, str):
                texts[name] += 1
                if _DATE.match(value):
                    found.append(int(value[:4]))
    return [
        (name, sorted(found)[len(found) // 2])
        for name, found in years.items()
        if found and len(found) >= texts[name] - few
    ]


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _DATE.match(value) is not None
