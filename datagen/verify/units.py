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
class _Unit:
    #: (time, index, faulted, value) of each record of the unit.
    records: list[tuple[float, int, bool, Any]] = field(default_factory=list)


def unit_draws(
    stream: Stream,
    name: str,
    unit: str,
    excluded: Collection[int],
    time_field: str | None,
) -> list[Any] | None:
    """The field's value once per unit; None when no record has the unit."""
    units, lost = _gather(stream, name, unit, excluded, time_field)
    if not units:
        return None
    varying = any(
        len({hashable(v) for _, _, bad, v in u.records if not bad}) > 1
        for u in units.values()
    )
    if not varying:
        return [
            next(v for _, _, bad, v in u.records if not bad)
            for u in units.values()
            if any(not bad for _, _, bad, _ in u.records)
        ]
    gap = _longest_gap(units)
    draws = []
    for found in units.values():
        moment, _, bad, value = min(found.records, key=lambda r: (r[0], r[1]))
        if bad or _follows(lost, moment, gap):
            continue
        draws.append(value)
    return draws


def _gather(
    stream: Stream,
    name: str,
    unit: str,
    excluded: Collection[int],
    time_field: str | None,
) -> tuple[dict[Any, _Unit], list[float]]:
    """Units by value with their records; the times of malformed lines
    whose unit cannot be read (sorted)."""
    units: dict[Any, _Unit] = {}
    lost: list[float] = []
    times = stream.times(time_field) if time_field else None
    latest = -math.inf
    for index, record in enumerate(stream.records):
        if isinstance(record, Malformed):
            key, moment, value = record.recover(unit), -math.inf, None
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
            value = field_value(record, name)
            moment = float(index)
            if times is not None:
                moment = times[index] or latest
            bad = index in excluded or value is MISSING or value is None
        if not time_field:
            moment = float(index)
        latest = max(latest, moment)
        units.setdefault(hashable(key), _Unit()).records.append(
            (moment, index, bad, value)
        )
    lost.sort()
    return units, lost


def _longest_gap(units: dict[Any, _Unit]) -> float:
    """The longest time (or distance) between two clean records of one unit."""
    gap = 0.0
    for found in units.values():
        times = sorted(moment for moment, _, bad, _ in found.records if not bad)
        gap = max([gap, *(b - a for a, b in zip(times, times[1:]))])
    return gap


def _follows(lost: list[float], moment: float, gap: float) -> bool:
    """True when a lost line lies at most gap before moment."""
    at = bisect_left(lost, moment - gap)
    return at < len(lost) and lost[at] <= moment
