"""Referential integrity: every reference of a child stream's clean records
names a record of its parent stream (every order's customer exists)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from datagen.verify.reading import Stream
from datagen.verify.report import EXAMPLES, SKIP, Check, outcome
from datagen.verify.values import MISSING, field_value, hashable

__all__ = ["parent_keys", "reference_check"]


def parent_keys(parent: Stream, field: str, listed: Iterable[Any] = ()) -> set[Any]:
    """The values of field in the parent's records (faulted ones too: a
    child may name any record that was written), and the keys the faults
    manifest lists for the parent's faulted records (`listed`: a malformed
    line's key cannot be read back, but its children rightly hold it)."""
    found = {
        hashable(value)
        for _, record in parent.dicts()
        for value in [field_value(record, field)]
        if value is not MISSING and value is not None
    }
    return found | {hashable(key) for key in listed if key is not None}


def reference_check(
    child: Stream,
    field: str,
    target: str,
    keys: set[Any] | None,
    excluded: Collection[int],
) -> Check:
    """field's values in child's clean records against keys (the parent's,
    target being "stream.field"); SKIP when the parent was not read."""
    name = f"references {field} -> {target}"
    if keys is None:
        parent = target.partition(".")[0]
        return Check(name, child.name, SKIP, f"stream '{parent}' was not read")
    checked = 0
    dangling: list[dict[str, Any]] = []
    count = 0
    for index, record in child.dicts():
        if index in excluded:
            continue
        value = field_value(record, field)
        if value is MISSING or value is None:
            continue
        checked += 1
        if hashable(value) not in keys:
            count += 1
            if len(dangling) < EXAMPLES:
                dangling.append({"index": index, field: value})
    summary = (
        f"{checked:,} references, all found"
        if not count
        else f"{count:,} of {checked:,} references name no record of {target}"
    )
    details: dict[str, Any] = {"references": checked, "parents": len(keys)}
    if count:
        details.update(dangling=count, examples=dangling)
    return Check(name, child.name, outcome(not count), summary, details)
