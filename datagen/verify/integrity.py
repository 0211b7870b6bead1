"""Referential integrity: every reference of a child stream's clean records
names a record of its parent stream (every order's customer exists)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from datagen.errors import ConfigError
from datagen.verify.reading import Stream
from datagen.verify.report import EXAMPLES, SKIP, Check, outcome
from datagen.verify.values import MISSING, field_value, hashable

__all__ = [
    "Reference",
    "parent_keys",
    "parse_reference",
    "reference_check",
    "refuse_unknown_streams",
]


class Reference(NamedTuple):
    """A --ref as given (text) and read: child.field -> target ("parent.field")."""

    text: str
    child: str
    field: str
    target: str

    @property
    def parent(self) -> str:
        return self.target.partition(".")[0]


def parse_reference(text: str) -> Reference:
    """'orders.customer_id=customers.id' -> its Reference; ConfigError naming
    text otherwise."""
    child, equals, parent = text.partition("=")
    stream, dot, name = child.strip().partition(".")
    if not (equals and dot and stream and name and "." in parent.strip(". ")):
        raise ConfigError(
            f"--ref {text!r}: expected STREAM.FIELD=STREAM.FIELD "
            "(e.g. orders.customer_id=customers.id)"
        )
    return Reference(text, stream, name, parent.strip())


def refuse_unknown_streams(
    references: Iterable[Reference], outputs: Collection[str], manifest: Collection[str]
) -> None:
    """ConfigError for a reference naming a stream that is neither an output
    nor one of the manifest's: a misspelt child would be no check at all."""
    known = sorted({*outputs, *manifest})
    among = "the outputs and the manifest's streams" if manifest else "the outputs"
    for reference in references:
        for stream in (reference.child, reference.parent):
            if stream not in known:
                raise ConfigError(
                    f"--ref {reference.text!r}: no stream '{stream}' among {among} "
                    f"({', '.join(known)})"
                )


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
