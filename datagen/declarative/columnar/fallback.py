"""Fields made per row: the row engine's maker of a top-level field, called
for each document of the block with the documents so far as Python values,
its values made a Leaf (each one's JSON text alongside)."""

from __future__ import annotations

from typing import Any

from datagen.declarative.columnar.context import BlockContext
from datagen.declarative.kinds.base import Maker
from datagen.engine.columns.block import Column, Leaf
from datagen.engine.columns.documents import python_values
from datagen.engine.columns.values import python_leaf


class RowDocuments:
    """A block's documents as Python dicts, filled with the fields made so
    far when a field made per row first needs them."""

    def __init__(self, block: BlockContext) -> None:
        self.block = block
        self.documents: list[dict[str, Any]] = []
        #: The values of the fields made per row (their Leaf may hold text).
        self.made: dict[str, list[Any]] = {}

    def make(self, key: str, maker: Maker, columns: dict[str, Column]) -> Leaf:
        """Field key of each document, from maker, the fields before it in
        columns."""
        row = self.block.row
        if row is None:
            raise ValueError(
                f"field {key!r} is made per row: the BlockContext needs a RowFallback"
            )
        documents = self._documents(columns)
        ctx = row.context
        start = self.block.start
        values = []
        for offset, document in enumerate(documents):
            ctx.index = start + offset
            value = maker(ctx, [document])
            document[key] = value
            values.append(value)
        self.made[key] = values
        return python_leaf(values + [None] * (self.block.count - len(values)))

    def _documents(self, columns: dict[str, Column]) -> list[dict[str, Any]]:
        """The documents, with every field of columns they lack added."""
        if not self.documents:
            kept = self.block.count if self.block.keep is None else self.block.keep
            self.documents = [{} for _ in range(min(kept, self.block.count))]
        first = self.documents[0] if self.documents else {}
        for key, column in columns.items():
            if key in first:
                continue
            values = self.made.get(key)
            if values is None:
                values = python_values(column)
            for document, value in zip(self.documents, values):
                document[key] = value
        return self.documents
