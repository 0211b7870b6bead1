"""A document's reference to another stream of the run: `{ref: customers.id}`
(or `{gen: ref, field: customers.id}`), with a skew (`zipf`, `skew`,
`histogram`) or `records_per`; what it draws comes from datagen.references."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datagen.declarative.kinds.base import Context, Maker, Scopes
from datagen.declarative.problems import FieldPath, Problems, dotted
from datagen.errors import ConfigError
from datagen.references import (
    SKEWS,
    UNIFORM,
    Reference,
    Skew,
    per_parent,
    picker_for,
    split_target,
)

#: The keys of a reference to another stream, besides its target.
REFERENCE_OPTIONS = (*SKEWS, "records_per")


def is_shorthand_ref(spec: Mapping[str, Any]) -> bool:
    """`{ref: text, ...options}`: a reference, not an object with a `ref` field."""
    return isinstance(spec.get("ref"), str) and all(
        key in ("ref", "null_rate", *REFERENCE_OPTIONS) for key in spec
    )


def stream_name(text: str) -> str | None:
    """The stream of text when it has the form stream.field, else None."""
    try:
        return split_target(text.strip())[0]
    except ConfigError:
        return None


def stream_ref(
    text: str,
    spec: Mapping[str, Any],
    path: FieldPath,
    root: int,
    top: bool,
    problems: Problems,
) -> tuple[Maker, Reference] | None:
    """The maker of a field holding text's (stream.field) value from a record
    of that stream, and its Reference; None with problems at their keys.
    path[root:] is the field's path in the document; `top`: a top-level
    field, made once a document (records_per needs one)."""
    found = len(problems)
    stream, key = split_target(text.strip())
    skews = [name for name in SKEWS if name in spec]
    skew: Skew = UNIFORM
    if len(skews) > 1:
        problems.add((*path, skews[1]), f"give one of {', '.join(SKEWS)}")
    for name in skews:
        try:
            skew = SKEWS[name](spec[name])
        except ConfigError as exc:
            problems.add((*path, name), str(exc))
    counts = None
    if "records_per" in spec:
        where = (*path, "records_per")
        try:
            counts = per_parent(spec["records_per"])
        except ConfigError as exc:
            problems.add(where, str(exc))
        if skews:
            problems.add(where, f"decides each record's parent: drop {skews[0]}")
        elif not top:
            problems.add(where, "goes on a top-level field of the document")
    if len(problems) > found:
        return None
    reference = Reference(dotted(path[root:]), stream, key, skew, counts)
    token = ("field", reference)  # its picker's key in ctx.pickers

    def make(ctx: Context, scopes: Scopes) -> Any:
        pick = ctx.pickers.get(token)
        if pick is None:
            pick = ctx.pickers[token] = picker_for(ctx.stream, stream, key, skew)
        return pick(ctx.random, ctx.index)

    return make, reference
