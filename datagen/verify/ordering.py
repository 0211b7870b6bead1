"""Time order: each actor's clean records come in time order (the whole
stream's when no actor field is known)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from datagen.verify.reading import Stream
from datagen.verify.report import EXAMPLES, SKIP, Check, outcome
from datagen.verify.values import MISSING, epoch, field_value, hashable

__all__ = ["time_order_check"]


def time_order_check(
    stream: Stream,
    time_field: str | None,
    actor_field: str | None,
    excluded: Collection[int],
) -> Check:
    """FAIL naming the first records whose time is before their actor's
    previous one; SKIP for a table or a stream without a time field."""
    name = "time order"
    if stream.table:
        return Check(name, stream.name, SKIP, "a table's rows have no output order")
    if not time_field:
        return Check(name, stream.name, SKIP, "no time field (--time FIELD)")
    last: dict[Any, float] = {}
    checked = unreadable = 0
    backwards: list[dict[str, Any]] = []
    count = 0
    for index, record in stream.dicts():
        if index in excluded:
            continue
        value = field_value(record, time_field)
        moment = epoch(value) if value is not MISSING else None
        if moment is None:
            unreadable += 1
            continue
        checked += 1
        actor = hashable(field_value(record, actor_field)) if actor_field else None
        previous = last.get(actor)
        if previous is not None and moment < previous:
            count += 1
            if len(backwards) < EXAMPLES:
                backwards.append({"index": index, time_field: value, "actor": actor})
            continue
        last[actor] = moment
    if not checked:
        return Check(name, stream.name, SKIP, f"no record has a time in '{time_field}'")
    per = f"per {actor_field}" if actor_field else "across the stream"
    details: dict[str, Any] = {"records": checked, "time_field": time_field}
    if actor_field:
        details.update(actor_field=actor_field, actors=len(last))
    if unreadable:
        details["without_a_time"] = unreadable
    if count:
        details.update(backwards=count, examples=backwards)
    summary = (
        f"{checked:,} records in time order {per}"
        if not count
        else f"{count:,} of {checked:,} records go back in time {per}"
    )
    return Check(name, stream.name, outcome(not count), summary, details)
