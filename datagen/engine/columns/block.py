"""A block of documents held a field at a time: the columnar engine's unit.

A column is one of four shapes, each `count` values long:

- Leaf: an Arrow array of the raw values (nulls as Arrow nulls). `json`, when
  the generator made it, is each value's JSON text already (a vocabulary's
  quoted words taken by index costs less than quoting every value again);
  `plain` says its strings hold nothing that JSON escapes or CSV quotes
  (no '"', '\\', ',', control characters), so encoders wrap them as they are.
- Constant: one value repeated (encoders write its text once, into the
  line's literal parts).
- Obj: a nested object, its fields in order; `valid` marks the rows where
  it is present (None: all of them).
- ListOf: a list per row, `offsets` (count + 1 of them) into `items`, one
  column of every row's items end to end; `valid` as for Obj.

Encoders (json_lines, csv_rows, arrow_table) read these; generators make
them. Nothing here draws randomness.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from datagen.files.parquet_types import stored_type

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass
class Leaf:
    """Raw values in an Arrow array; see the module's doc for json and plain."""

    values: pa.Array
    json: pa.Array | None = None
    plain: bool = False

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class Constant:
    """value, count times."""

    value: Any
    count: int

    def __len__(self) -> int:
        return self.count


@dataclass
class Obj:
    """A nested object: its fields in order, absent (null) where not valid."""

    fields: dict[str, Column]
    count: int
    valid: BoolArray | None = None

    def __len__(self) -> int:
        return self.count


@dataclass
class ListOf:
    """A list per row: row i's items are items[offsets[i]:offsets[i + 1]]."""

    offsets: IntArray
    items: Column
    valid: BoolArray | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1


Column = Union[Leaf, Constant, Obj, ListOf]


@dataclass
class ColumnBlock:
    """Documents start .. start+count-1 of a run, as top-level columns."""

    start: int
    count: int
    fields: dict[str, Column] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.count

    def items(self) -> Iterator[tuple[str, Column]]:
        return iter(self.fields.items())


def nulls_of(column: Column) -> BoolArray | None:
    """True where the column's value is null; None when none is."""
    if isinstance(column, Leaf):
        if column.values.null_count == 0:
            return None
        return np.asarray(column.values.is_null(), dtype=bool)
    if isinstance(column, Constant):
        return np.ones(column.count, dtype=bool) if column.value is None else None
    if column.valid is None:
        return None
    return ~column.valid


def with_nulls(column: Column, null: BoolArray) -> Column:
    """column with the rows where `null` is True made null (null_rate)."""
    if not null.any():
        return column
    if isinstance(column, Constant):
        if column.value is None:
            return column
        values = pa.array([column.value] * column.count)
        column = Leaf(values, plain=False)
    if isinstance(column, Leaf):
        mask = pa.array(null)
        nothing = pa.scalar(None, column.values.type)
        values = pc.if_else(mask, nothing, column.values)
        json = column.json
        if json is not None:
            json = pc.if_else(mask, pa.scalar(None, json.type), json)
        return Leaf(values, json, column.plain)
    present = ~null if column.valid is None else column.valid & ~null
    if isinstance(column, Obj):
        return Obj(column.fields, column.count, present)
    return ListOf(column.offsets, column.items, present)


def to_arrow(column: Column) -> pa.Array:
    """The column as one Arrow array (structs for objects, lists for lists;
    a type no value decides, such as an empty list's items, is string)."""
    if isinstance(column, Leaf):
        return column.values
    if isinstance(column, Constant):
        return _repeated(column.value, column.count)
    mask = None if column.valid is None else pa.array(~column.valid)
    if isinstance(column, Obj):
        children = [to_arrow(child) for child in column.fields.values()]
        if not children:
            return pa.array([{}] * column.count, mask=mask)
        return pa.StructArray.from_arrays(children, list(column.fields), mask=mask)
    offsets = pa.array(column.offsets.astype(np.int32))
    items = to_arrow(column.items)
    return pa.ListArray.from_arrays(offsets, items, mask=mask)


def _repeated(value: Any, count: int) -> pa.Array:
    """value count times, typed (an empty list's items as text): built from
    buffers, not from count Python values (50,000 empty lists took 14 ms)."""
    if value == [] and isinstance(value, list):
        offsets = pa.array(np.zeros(count + 1, dtype=np.int32))
        return pa.ListArray.from_arrays(offsets, pa.array([], type=pa.string()))
    one = pa.array([value])
    if isinstance(value, (list, dict)):
        values = one.take(pa.array(np.zeros(count, dtype=np.int32)))
    else:
        values = pa.repeat(one[0], count)
    stored = stored_type(values.type)
    return values if stored == values.type else values.cast(stored)


def field_at(column: Column, keys: tuple[str | int, ...]) -> Column | None:
    """The column under keys (object fields by name, list items by index;
    an item a row's list lacks is null); None when a key names nothing the
    column's shape holds."""
    for key in keys:
        if isinstance(key, str):
            if not isinstance(column, Obj) or key not in column.fields:
                return None
            inner = column.fields[key]
            column = inner if column.valid is None else with_nulls(inner, ~column.valid)
        else:
            if not isinstance(column, ListOf):
                return None
            column = _item(column, key)
    return column


def _item(column: ListOf, index: int) -> Column:
    """Each row's item `index` (null where the list is shorter or null)."""
    starts = column.offsets[:-1]
    lengths = np.diff(column.offsets)
    present = lengths > index
    if column.valid is not None:
        present &= column.valid
    positions = np.where(present, starts + index, 0)
    items = to_arrow(column.items)
    if len(items) == 0:
        return Leaf(pa.nulls(len(column), pa.string()))
    taken = items.take(pa.array(positions))
    leaf = Leaf(taken)
    return with_nulls(leaf, ~present)


def block_of(start: int, count: int, columns: Mapping[str, Column]) -> ColumnBlock:
    """A ColumnBlock, each column checked to be count long."""
    for name, column in columns.items():
        if len(column) != count:
            raise ValueError(f"column {name!r} has {len(column)} rows, not {count}")
    return ColumnBlock(start, count, dict(columns))


def head(block: ColumnBlock, count: int) -> ColumnBlock:
    """The block's first count documents."""
    if count >= block.count:
        return block
    return ColumnBlock(
        block.start, count, {key: _head(column, count) for key, column in block.items()}
    )


def _head(column: Column, count: int) -> Column:
    if isinstance(column, Leaf):
        json = None if column.json is None else column.json.slice(0, count)
        return Leaf(column.values.slice(0, count), json, column.plain)
    if isinstance(column, Constant):
        return Constant(column.value, count)
    valid = None if column.valid is None else column.valid[:count]
    if isinstance(column, Obj):
        fields = {key: _head(inner, count) for key, inner in column.fields.items()}
        return Obj(fields, count, valid)
    offsets = column.offsets[: count + 1]
    return ListOf(offsets, _head(column.items, int(offsets[-1])), valid)
