"""Rows of a column by index, whatever its shape: a list's items reading
fields of the objects around the list take those fields' rows once per
item; a list of fields interleaves its fields' columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from datagen.engine.columns.block import Column, Constant, IntArray, Leaf, ListOf, Obj
from datagen.engine.columns.documents import python_values
from datagen.engine.columns.values import holds_json_text, python_leaf, take_leaf


def take_rows(column: Column, rows: IntArray) -> Column:
    """Row rows[i] of column as row i."""
    count = len(rows)
    if isinstance(column, Constant):
        return Constant(column.value, count)
    if isinstance(column, Leaf):
        return take_leaf(column, rows)
    valid = None if column.valid is None else column.valid[rows]
    if isinstance(column, Obj):
        fields = {key: take_rows(inner, rows) for key, inner in column.fields.items()}
        return Obj(fields, count, valid)
    lengths = np.diff(column.offsets)[rows]
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    moved = column.offsets[:-1][rows] - offsets[:-1]
    items = np.repeat(moved, lengths) + np.arange(offsets[-1], dtype=np.int64)
    return ListOf(offsets, take_rows(column.items, items), valid)


def interleave(columns: Sequence[Column]) -> Column:
    """One column of k columns' rows in turn: column j's row i at i * k + j
    (a list of k fields' items, end to end). Leaves of one type are taken
    from their concatenation; other shapes go through Python values."""
    count = len(columns[0])
    order = (np.arange(len(columns)) * count + np.arange(count)[:, None]).ravel()
    leaves = [column for column in columns if isinstance(column, Leaf)]
    if len(leaves) == len(columns):
        types = {leaf.values.type for leaf in leaves}
        texts = {(leaf.json is None, holds_json_text(leaf)) for leaf in leaves}
        if len(types) == 1 and len(texts) == 1:
            values = pa.concat_arrays([leaf.values for leaf in leaves])
            jsons = [leaf.json for leaf in leaves if leaf.json is not None]
            json = pa.concat_arrays(jsons) if jsons else None
            plain = all(leaf.plain for leaf in leaves)
            return take_leaf(Leaf(values, json, plain), order)
    made = [python_values(column) for column in columns]
    return python_leaf([made[j][i] for i in range(count) for j in range(len(made))])
