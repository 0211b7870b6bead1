"""A block as JSON lines, byte for byte what orjson writes for its documents
one at a time (JsonLinesEncoder), made a column at a time.

Each column becomes parts of the line (see texts.py): a generator's JSON
texts (Leaf.json) as they are, plain strings the values themselves between
literal quotes, keys and constants literals, an object without nulls its
members inline; one join then makes every line.
"""

from __future__ import annotations

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.engine.columns.block import Column, ColumnBlock, Constant, Leaf, ListOf
from datagen.engine.columns.block import BoolArray
from datagen.engine.columns.documents import shaped
from datagen.engine.columns.texts import Part, byte_table, joined, joined_bytes
from datagen.engine.columns.texts import listed, rows_holding, split_numbers
from datagen.engine.columns.texts import substituted, typed_texts, where

#: The characters orjson escapes in a string (all ASCII: it writes the rest as is).
ESCAPED = byte_table(lambda char: orjson.dumps(char) != f'"{char}"'.encode())


def json_lines(block: ColumnBlock) -> bytes:
    """The block's documents as JSON lines, each ending in a newline."""
    return joined_bytes([*_members(block.fields), b"\n"], block.count)


def json_texts(column: Column) -> pa.Array:
    """Each row's value as JSON text (a string array without nulls)."""
    return joined(json_parts(column), len(column))


def json_parts(column: Column) -> list[Part]:
    """Each row's value as JSON text, in parts (literals where rows agree)."""
    if isinstance(column, Constant):
        return [orjson.dumps(column.value)]
    if isinstance(column, Leaf):
        if column.json is not None:  # the generator's text: taken as it is
            return [where(None, "null", column.json)]
        shape = shaped(column)
        return _leaf(column) if shape is column else json_parts(shape)
    if isinstance(column, ListOf):
        parts = _list(column)
    else:
        parts = _members(column.fields)
    return _or_null(parts, column.valid, len(column))


def float_texts(values: pa.Array) -> pa.Array:
    """orjson's text of each float (null where the value is; NaN and the
    infinities are `null` too, as orjson writes them)."""
    numbers = pc.fill_null(values.cast(pa.float64()), 0.0).to_numpy()
    texts = split_numbers(numbers)
    if values.null_count:
        texts = pc.if_else(values.is_null(), pa.scalar(None, texts.type), texts)
    return texts


def _members(fields: dict[str, Column]) -> list[Part]:
    parts: list[Part] = [b"{"]
    for at, (key, column) in enumerate(fields.items()):
        parts.append((b"," if at else b"") + orjson.dumps(key) + b":")
        parts.extend(json_parts(column))
    parts.append(b"}")
    return parts


def _list(column: ListOf) -> list[Part]:
    items = json_texts(column.items)
    if pa.types.is_large_string(items.type):
        lists = pa.LargeListArray.from_arrays(pa.array(column.offsets), items)
    else:
        offsets = pa.array(column.offsets.astype(np.int32))
        lists = pa.ListArray.from_arrays(offsets, items)
    return [b"[", pc.binary_join(lists, pa.scalar(",", items.type)), b"]"]


def _or_null(parts: list[Part], valid: BoolArray | None, count: int) -> list[Part]:
    """parts, or `null` in the rows not valid."""
    if valid is None or valid.all():
        return parts
    return [where(~valid, "null", joined(parts, count))]


def _leaf(leaf: Leaf) -> list[Part]:
    values = leaf.values
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _strings(values, leaf.plain)

    def words(dictionary: pa.Array) -> pa.Array:
        return json_texts(Leaf(dictionary, plain=leaf.plain))

    return [typed_texts(values, "null", float_texts, words, _dumped)]


def _dumped(values: pa.Array) -> pa.Array:
    """What orjson makes of the values' Python values (times, decimals...)."""
    return listed(orjson.dumps(value).decode() for value in values.to_pylist())


def _strings(values: pa.Array, plain: bool) -> list[Part]:
    """Strings in quotes; the rows holding what JSON escapes escaped by orjson."""
    if not plain:
        rows = rows_holding(values, ESCAPED)
        if rows.size:
            escaped = values.take(pa.array(rows)).to_pylist()
            texts = listed(orjson.dumps(text)[1:-1].decode() for text in escaped)
            values = substituted(values, rows, texts)
    if not values.null_count:
        return [b'"', values, b'"']
    quote = pa.scalar('"', values.type)
    quoted = pc.binary_join_element_wise(
        quote, values, quote, pa.scalar("", values.type)
    )
    return [where(None, "null", quoted)]
