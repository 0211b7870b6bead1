"""A child stream's references to its parents, and the order that makes
every parent before its children."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from datagen.errors import ConfigError
from datagen.references.skews import UNIFORM, Skew, per_parent, split_target


@dataclass(frozen=True)
class Reference:
    """Field `field` of a child stream holds `key` of a record of `stream`,
    drawn with `skew`, or, with `records_per` (lo, hi), each parent has lo
    to hi children, which come grouped by parent in the parents' order."""

    field: str
    stream: str
    key: str
    skew: Skew = UNIFORM
    records_per: tuple[int, int] | None = None

    @property
    def target(self) -> str:
        return f"{self.stream}.{self.key}"


def references_of(
    child: str,
    references: Mapping[str, str],
    records_per: Mapping[str, Sequence[int]] | None = None,
) -> tuple[Reference, ...]:
    """A Python provider's `references` ({field: "stream.field"}) and
    `records_per` ({field: (lo, hi)}) as References (uniform); ConfigError
    naming the provider's attribute at fault."""
    found = []
    records_per = records_per or {}
    for name in records_per:
        if name not in references:
            raise ConfigError(
                f"provider '{child}': records_per names {name!r}, which is not "
                "in its references"
            )
    for name, text in references.items():
        try:
            stream, key = split_target(text)
        except ConfigError as exc:
            raise ConfigError(f"provider '{child}': references {name}: {exc}") from None
        counts = records_per.get(name)
        try:
            many = None if counts is None else per_parent(counts)
        except ConfigError as exc:
            raise ConfigError(
                f"provider '{child}': records_per {name}: {exc}"
            ) from None
        found.append(Reference(name, stream, key, records_per=many))
    problem = one_to_many_problem(found)
    if problem:
        raise ConfigError(f"provider '{child}': {problem}")
    return tuple(found)


def one_to_many_problem(references: Iterable[Reference]) -> str | None:
    """What is wrong when more than one reference of a stream has
    records_per (its count would have two answers), else None."""
    many = [ref.field for ref in references if ref.records_per is not None]
    if len(many) > 1:
        return (
            f"records_per on {' and '.join(many)}: a stream takes its count from "
            "one parent at most"
        )
    return None


def stream_order(streams: Mapping[str, Sequence[Reference]]) -> list[str]:
    """The streams (in the order given, {name: its references}) with every
    parent before its children; ConfigError for a reference to a stream not
    in the run, or a cycle."""
    names = list(streams)
    for child, references in streams.items():
        for ref in references:
            if ref.stream not in streams:
                raise ConfigError(
                    f"{child}.{ref.field} references {ref.target}, but "
                    f"{ref.stream} is not in this run (streams: {', '.join(names)}"
                    f"): add -p {ref.stream}"
                )
    order: list[str] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name) :] + [name]
            raise ConfigError(
                f"the streams' references go round in a cycle: {' -> '.join(cycle)}"
                " (a stream's parents must not reference it)"
            )
        state[name] = "visiting"
        for ref in streams[name]:
            visit(ref.stream, [*path, name])
        state[name] = "done"
        order.append(name)

    for name in names:
        visit(name, [])
    return order
