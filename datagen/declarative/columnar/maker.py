"""compile_columns: a document declaration's `fields:` as a ColumnsMaker,
which makes a block of documents as columns, a field at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.declarative.columnar.compiler import ColumnsCompiler
from datagen.declarative.columnar.context import BlockContext, Fallback
from datagen.declarative.columnar.fallback import RowDocuments
from datagen.declarative.columnar.frame import ColumnMaker, Frame, Scope
from datagen.declarative.columnar.kinds import Unvectorised, VectorMethod
from datagen.declarative.fields import FieldsMaker
from datagen.declarative.kinds.base import Maker
from datagen.engine.columns.block import ColumnBlock, block_of
from datagen.engine.columns.mimesis.vectors import vector_method


@dataclass(frozen=True)
class Step:
    """A top-level field: its column maker, or its row maker (per row)."""

    key: str
    columns: ColumnMaker | None
    row: Maker | None = None


class ColumnsMaker:
    """Makes a block of documents (BlockContext) as a ColumnBlock."""

    def __init__(self, steps: Sequence[Step], fallbacks: Sequence[Fallback]) -> None:
        self.steps = tuple(steps)
        #: The top-level field names, in order.
        self.keys = tuple(step.key for step in steps)
        #: The fields made per row, with the part and the reason.
        self.fallbacks = tuple(fallbacks)

    def __call__(self, ctx: BlockContext) -> ColumnBlock:
        document = Scope({})
        frame = Frame(ctx, ctx.count, None, [document])
        rows = RowDocuments(ctx)
        for step in self.steps:
            if step.columns is not None:
                column = step.columns(frame)
            else:
                assert step.row is not None
                column = rows.make(step.key, step.row, document.fields)
            document.fields[step.key] = column
        return block_of(ctx.start, ctx.count, document.fields)


def compile_columns(
    spec: Mapping[str, Any],
    locale: str,
    rows: FieldsMaker,
    *,
    vectors: VectorMethod | None = None,
) -> ColumnsMaker:
    """The ColumnsMaker of a document's `fields:` (spec, which compile_fields
    compiled without problems into rows). A top-level field any part of
    which has no vectorised form is made per row by its maker in rows.
    vectors: how Mimesis methods are vectorised (default: the engine's
    mimesis.vectors.vector_method)."""
    compiler = ColumnsCompiler(locale, vectors or vector_method)
    row_makers = dict(rows.steps)
    names: set[str] = set()
    compiler.scopes.append(names)
    steps: list[Step] = []
    fallbacks: list[Fallback] = []
    for key, value in spec.items():
        try:
            steps.append(Step(key, compiler.value(value, (key,))))
        except Unvectorised as exc:
            steps.append(Step(key, None, row_makers[key]))
            inner = "" if exc.path == key else f"{exc.path}: "
            fallbacks.append(Fallback(key, f"{inner}{exc.reason}"))
        names.add(key)
    return ColumnsMaker(steps, fallbacks)
