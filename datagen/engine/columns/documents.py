"""A block's documents as Python values (what the row engine's encoders are
given for the same documents), and Arrow's nested values seen as the column
shapes they are."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from datagen.engine.columns.block import Column, ColumnBlock, Constant, Leaf, ListOf
from datagen.engine.columns.block import Obj
from datagen.engine.columns.values import holds_json_text


def documents(block: ColumnBlock, stop: int | None = None) -> list[dict[str, Any]]:
    """The block's documents 0 .. stop-1 (all of them by default), each
    field's values as python_values gives them."""
    count = block.count if stop is None else min(stop, block.count)
    return _dicts(block.fields, count)


def shaped(leaf: Leaf) -> Column:
    """A Leaf of Arrow structs or lists as the Obj or ListOf it is (an
    encoder then writes it as it writes those); any other Leaf as it is."""
    values = leaf.values
    kind = values.type
    if not (
        pa.types.is_struct(kind)
        or pa.types.is_list(kind)
        or pa.types.is_large_list(kind)
    ):
        return leaf
    valid = None if values.null_count == 0 else np.asarray(values.is_valid())
    if pa.types.is_struct(kind):
        children = values.flatten()
        fields: dict[str, Column] = {
            kind.field(at).name: Leaf(child) for at, child in enumerate(children)
        }
        return Obj(fields, len(values), valid)
    offsets = np.asarray(values.offsets, dtype=np.int64)
    return ListOf(offsets, Leaf(values.values), valid)


def python_values(column: Column, count: int | None = None) -> list[Any]:
    """The column's first count values (all by default) as Python values:
    objects as dicts (None where not valid), lists as lists, a Constant's
    value (a copy each row for a list or object), a Leaf's values (read back
    from their JSON text where the Leaf holds that: values.holds_json_text)."""
    if count is None:
        count = len(column)
    if isinstance(column, Leaf):
        values = column.values.slice(0, count).to_pylist()
        if holds_json_text(column):
            return [None if text is None else orjson.loads(text) for text in values]
        return values
    if isinstance(column, Constant):
        value = column.value
        if isinstance(value, (dict, list)):
            return [copy.deepcopy(value) for _ in range(count)]
        return [value] * count
    rows: Sequence[Any]
    if isinstance(column, Obj):
        rows = _dicts(column.fields, count)
    else:
        offsets = column.offsets[: count + 1].tolist()
        items = python_values(column.items, offsets[-1]) if count else []
        rows = [items[start:stop] for start, stop in zip(offsets, offsets[1:])]
    if column.valid is None:
        return list(rows)
    valid = column.valid[:count].tolist()
    return [row if present else None for row, present in zip(rows, valid)]


def _dicts(fields: dict[str, Column], count: int) -> list[dict[str, Any]]:
    """count dicts, field by field."""
    if not fields:
        return [{} for _ in range(count)]
    names = list(fields)
    columns = [python_values(column, count) for column in fields.values()]
    return [dict(zip(names, row)) for row in zip(*columns)]
