"""The types a Parquet file stores a column in: what the Parquet sink and
the columnar engine's tables agree on for the same documents."""

from __future__ import annotations

import pyarrow as pa


def stored_type(kind: pa.DataType) -> pa.DataType:
    """kind with the parts no value typed (all null, an empty list's items)
    as strings, the likeliest type of generated data, and dictionaries
    decoded (Parquet cannot write a dictionary holding nulls)."""
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
