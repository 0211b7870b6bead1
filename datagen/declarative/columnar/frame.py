"""The rows a column maker fills: a block's documents, or the items of
lists inside them, with the objects around (scopes) readable by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from datagen.declarative.columnar.context import BlockContext
from datagen.engine.columns.block import Column, IntArray
from datagen.engine.columns.draws import field_rng


@dataclass
class Scope:
    """An object's fields made so far; rows: the object's row of each of the
    frame's rows (None: the same row; inside a list, each item's parent)."""

    fields: dict[str, Column]
    rows: IntArray | None = None


@dataclass
class Frame:
    """count rows to make; top: each row's document in the block (None: row
    i is document i); scopes: the objects around, the document first."""

    block: BlockContext
    count: int
    top: IntArray | None
    scopes: list[Scope]

    def rng(self, path: str) -> np.random.Generator:
        """The Generator of the field at path in this block."""
        return field_rng(self.block.seed, path)

    def index(self) -> IntArray:
        """Each row's document index in the run (what `sequence` counts)."""
        rows = np.arange(self.count, dtype=np.int64) if self.top is None else self.top
        return self.block.start + rows

    def within(self, scope: Scope) -> Frame:
        """The same rows inside a nested object whose fields are scope's."""
        return Frame(self.block, self.count, self.top, [*self.scopes, scope])

    def items(self, lengths: IntArray) -> Frame:
        """The rows of lists of lengths[i] items for each row i: item rows
        read the scopes at their list's row."""
        parent = np.repeat(np.arange(self.count, dtype=np.int64), lengths)
        top = parent if self.top is None else self.top[parent]
        scopes = [
            Scope(scope.fields, parent if scope.rows is None else scope.rows[parent])
            for scope in self.scopes
        ]
        return Frame(self.block, len(parent), top, scopes)


#: Makes a field's column for a frame's rows.
ColumnMaker = Callable[[Frame], Column]
