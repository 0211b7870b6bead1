"""The draws of a choice made once per unit ("FIELD per UNIT"): one value per
distinct UNIT value, whatever number of records repeat it.

A field the same on every clean record of its unit (a session's marketing
source, a user's browser) is read from any of them. A field that changes
within its unit (the page of a session) was drawn on the unit's first
record, in time order (output order without a time field): a unit whose
first record is faulted is left out, and so is one whose first record might
follow a lost one: a malformed line whose unit cannot be read, at most the
longest gap between two records of one unit before it. Leaving units out
for what a fault did, never for their values, keeps the draws fair.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from datagen.verify.reading import Malformed, Stream
from datagen.verify.values import MISSING, epoch, field_value, hashable

__all__ = ["unit_draws"]


@dataclass
class _Units:
    """A stream's records by unit, worked out once per unit field."""

    #: unit -> (time, index, faulted) of each of its records, in output order.
    members: dict[Any, list[tuple[float, int, bool]]] = field(default_factory=dict)
    #: The times of malformed lines whose unit cannot be read, sorted.
    lost: list[float] = field(default_factory=list)
    #: The longest time (or distance) between two clean records of one unit.
    gap: float = 0.0


def unit_draws(
    stream: Stream,
    name: str,
    unit: str,
    excluded: Collection[int],
    time_field: str | None,
) -> list[Any] | None:
    """The field's value once per unit; None when no record has the unit."""
    units = stream.remember(
        ("units", unit, time_field, id(excluded)),
        lambda: _gather(stream, unit, excluded, time_field),
    )
    if not units.members:
        return None
    records = stream.records

    def value_of(index: int) -> Any:
        record = records[index]
        value = field_value(record, name) if isinstance(record, dict) else None
        return None if value is MISSING else value

    if not _varies(units, value_of):
        found = (
            next((v for _, i, bad in rows if not bad for v in [value_of(i)]), None)
            for rows in units.members.values()
        )
        return [value for value in found if value is not None]
    draws = []
    for rows in units.members.values():
        moment, index, bad = min(rows)
        value = value_of(index)
        if bad or value is None or _follows(units.lost, moment, units.gap):
            continue
        draws.append(value)
    return draws


def _varies(units: _Units, value_of: Any) -> bool:
    """True when a unit's clean records hold two values of the field."""
    for rows in units.members.values():
        seen = None
        for _, index, bad in rows:
            value = None if bad else value_of(index)
            if value is None:
                continue
            value = hashable(value)
            if seen is None:
                seen = value
            elif value != seen:
                return True
    return False


def _gather(
    stream: Stream, unit: str, excluded: Collection[int], time_field: str | None
) -> _Units:
    units = _Units()
    members, lost = units.members, units.lost
    times = stream.times(time_field) if time_field else None
    latest = -math.inf
    for index, record in enumerate(stream.records):
        moment = float(index)
        if isinstance(record, Malformed):
            key = record.recover(unit)
            if time_field:
                moment = epoch(record.recover(time_field)) or latest
            if key is MISSING or key is None:
                lost.append(moment)
                continue
            bad = True
        else:
            key = field_value(record, unit)
            if key is MISSING or key is None:
                continue
            if times is not None:
                moment = times[index] or latest
            bad = index in excluded
        latest = max(latest, moment)
        rows = members.get(key if type(key) is str else hashable(key))
        if rows is None:
            rows = members[key if type(key) is str else hashable(key)] = []
        rows.append((moment, index, bad))
    lost.sort()
    for rows in members.values():
        clean = sorted(moment for moment, _, bad in rows if not bad)
        for before, after in zip(clean, clean[1:]):
            units.gap = max(units.gap, after - before)
    return units


def _follows(lost: list[float], moment: float, gap: float) -> bool:
    """True when a lost line lies at most gap before moment."""
    at = bisect_left(lost, moment - gap)
    return at < len(lost) and lost[at] <= moment
