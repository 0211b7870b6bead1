"""A block as an Arrow table: a column per top-level field, objects as
structs and lists as lists, typed as the Parquet sink types the same
documents: types no value decided (all nulls, empty lists' items) as
strings, dictionary-encoded values as their values' type."""

from __future__ import annotations

import pyarrow as pa

from datagen.engine.columns.block import Column, ColumnBlock, Leaf, ListOf, Obj
from datagen.engine.columns.block import to_arrow
from datagen.engine.columns.documents import python_values
from datagen.engine.columns.values import holds_json_text
from datagen.files.parquet_types import stored_type


def arrow_table(block: ColumnBlock) -> pa.Table:
    """The block's documents as a table of block.count rows. A column that
    holds values Arrow could not type as they came (a choice of 1 and 2.5)
    is typed from its Python values, as the row engine's Parquet sink types
    them (ArrowInvalid where they cannot share a type)."""
    arrays = []
    for column in block.fields.values():
        if _holds_text(column):
            values = pa.array(python_values(column))
        else:
            values = to_arrow(column)
        stored = stored_type(values.type)
        arrays.append(values if stored == values.type else values.cast(stored))
    if not arrays:  # documents without fields: count rows of no columns
        return pa.table({"_": pa.nulls(block.count)}).drop_columns(["_"])
    return pa.Table.from_arrays(arrays, names=list(block.fields))


def _holds_text(column: Column) -> bool:
    """True when a leaf anywhere in column holds its values' JSON text."""
    if isinstance(column, Obj):
        return any(_holds_text(inner) for inner in column.fields.values())
    if isinstance(column, ListOf):
        return _holds_text(column.items)
    return isinstance(column, Leaf) and holds_json_text(column)
