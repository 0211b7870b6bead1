"""Reading fields already made, as columns: `ref` and template
placeholders. An object's keys and a list's indexes are followed column by
column, keeping the shape under them; a constant, or a value whose shape the
columns do not hold, is read as the row engine reads it, with its errors.

As block.field_at, a null on the way (an absent object, a list too short
for the index) reads as null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pyarrow as pa

from datagen.declarative.kinds.base import Context
from datagen.declarative.kinds.reading import getter, guarded
from datagen.declarative.problems import FieldPath
from datagen.engine.columns.block import Column, Constant, Leaf, ListOf, Obj
from datagen.engine.columns.block import field_at, with_nulls
from datagen.engine.columns.taking import take_rows
from datagen.engine.columns.documents import python_values
from datagen.engine.columns.values import python_leaf

_NO_CONTEXT = cast(Context, None)  # the getters of fields never read it


def read_path(
    column: Column, keys: tuple[str | int, ...], path: FieldPath, text: str
) -> Column:
    """column's values under keys; path and text (the reference as
    written) name the field in a failure's message."""
    for position, key in enumerate(keys):
        found: Column | None = None
        if isinstance(column, Obj) and isinstance(key, str):
            found = field_at(column, (key,))
        elif isinstance(column, ListOf) and isinstance(key, int):
            found = _item(column, key)
        if found is None:
            read = _reader(path, text, keys[position:])
            if isinstance(column, Constant):
                return Constant(read(column.value), column.count)
            return python_leaf([read(value) for value in python_values(column)])
        column = found
    return column


def _item(column: ListOf, index: int) -> Column:
    """Each row's item index, null where the list is shorter or null."""
    starts = column.offsets[:-1]
    present = np.diff(column.offsets) > index
    if column.valid is not None:
        present &= column.valid
    if not present.any():
        return Leaf(pa.nulls(len(column), pa.string()))
    item = take_rows(column.items, np.where(present, starts + index, 0))
    return with_nulls(item, ~present)


def _reader(
    path: FieldPath, text: str, keys: tuple[str | int, ...]
) -> Callable[[Any], Any]:
    """A reader of one value's keys: None through a None, else failing as
    the row engine's reader does."""
    steps = [guarded(getter(0, "value", (key,)), path, text) for key in keys]

    def read(value: Any) -> Any:
        for step in steps:
            if value is None:
                return None
            value = step(_NO_CONTEXT, [{"value": value}])
        return value

    return read
