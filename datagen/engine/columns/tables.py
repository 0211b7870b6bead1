"""A block as an Arrow table: a column per top-level field, objects as
structs and lists as lists, typed as the Parquet sink types the same
documents: types no value decided (all nulls, empty lists' items) as
strings, dictionary-encoded values as their values' type."""

from __future__ import annotations

import pyarrow as pa

from datagen.engine.columns.block import ColumnBlock, to_arrow


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


def stored_type(kind: pa.DataType) -> pa.DataType:
    """kind with its null parts as strings and dictionaries decoded."""
    if pa.types.is_null(kind):
        return pa.string()
    if pa.types.is_dictionary(kind):
        return stored_type(kind.value_type)
    if pa.types.is_list(kind):
        return pa.list_(stored_type(kind.value_type))
    if pa.types.is_large_list(kind):
        return pa.large_list(stored_type(kind.value_type))
    if pa.types.is_struct(kind):
        fields = [kind.field(at) for at in range(kind.num_fields)]
        return pa.struct([field.with_type(stored_type(field.type)) for field in fields])
    return kind
