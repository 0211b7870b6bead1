"""A block as an Arrow table: a column per top-level field, objects as
structs and lists as lists, typed as the Parquet sink types the same
documents: types no value decided (all nulls, empty lists' items) as
strings, dictionary-encoded values as their values' type."""

from __future__ import annotations

import pyarrow as pa

from datagen.engine.columns.block import ColumnBlock, to_arrow
from datagen.files.parquet_types import stored_type


def arrow_table(block: ColumnBlock) -> pa.Table:
    """The block's documents as a table of block.count rows."""
    arrays = []
    for column in block.fields.values():
        values = to_arrow(column)
        stored = stored_type(values.type)
        arrays.append(values if stored == values.type else values.cast(stored))
    if not arrays:  # documents without fields: count rows of no columns
        return pa.table({"_": pa.nulls(block.count)}).drop_columns(["_"])
    return pa.Table.from_arrays(arrays, names=list(block.fields))
