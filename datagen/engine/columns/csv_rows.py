"""A block as CSV rows, byte for byte what CsvEncoder writes for its
documents, made a column at a time.

The documents are flattened as CsvEncoder flattens them (datagen.encoders.
flatten: objects as dotted keys, lists whole), a key at a time: each dotted
key has the rows whose document holds it, the rows where it is null, and its
cell texts. A document holding a key the columns lack goes to CsvEncoder,
which refuses it in its own words; so does a block where a Leaf holds the
JSON text of values that include objects (their keys vary by row). Which
characters make Python's csv writer quote a cell is asked of it, once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.encoders import CsvEncoder, csv_cell, flatten
from datagen.engine.columns.block import BoolArray, Column, ColumnBlock, Constant
from datagen.engine.columns.block import Leaf, Obj, nulls_of
from datagen.engine.columns.documents import documents, python_values, shaped
from datagen.engine.columns.json_lines import float_texts, json_texts
from datagen.engine.columns.texts import ByteTable, Part, byte_table, joined
from datagen.engine.columns.texts import joined_bytes, listed, rows_holding
from datagen.engine.columns.texts import substituted, typed_texts, where
from datagen.engine.columns.values import holds_json_text

#: Characters a plain string (Leaf.plain) never holds.
_NOT_IN_PLAIN = frozenset('"\\,') | {chr(code) for code in range(32)}


def csv_columns(block: ColumnBlock) -> list[str]:
    """The columns CsvEncoder takes from the block's first document."""
    if not block.count:
        raise ValueError("an empty block has no first document to name the columns")
    return list(flatten(documents(block, 1)[0]))


def csv_rows(block: ColumnBlock, columns: Sequence[str]) -> bytes:
    """The block's documents as CSV rows under columns (no header)."""
    count = block.count
    keys: dict[str, _Key] = {}
    try:
        for name, column in block.items():
            _flatten(column, name, None, keys)
    except _ObjectsInText:
        return CsvEncoder(columns).encode_many(documents(block))
    if _varying(keys, columns, count):
        return CsvEncoder(columns).encode_many(documents(block))
    parts: list[Part] = []
    for at, name in enumerate(columns):
        if at:
            parts.append(b",")
        parts.extend(_column(keys.get(name), count))
    if len(columns) == 1:
        cells = joined(parts, count)
        empty = np.asarray(pc.equal(cells, pa.scalar("", cells.type)))
        parts = [where(empty, _quoting().lone_empty, cells)]
    return joined_bytes([*parts, b"\n"], count)


@dataclass(frozen=True)
class _Quoting:
    """What Python's csv writer (as CsvEncoder sets it up) quotes."""

    quoted: ByteTable  # a cell holding one of these characters is quoted
    lone_empty: str  # a row of one empty cell is written so
    plain_bare: bool  # plain strings hold none of them


@functools.cache
def _quoting() -> _Quoting:
    def written(cell: str) -> str:
        return CsvEncoder(["c"]).encode_many([{"c": cell}]).decode()[:-1]

    quoted = byte_table(lambda char: written(f"a{char}b") != f"a{char}b")
    specials = {chr(code) for code in np.flatnonzero(quoted)}
    return _Quoting(quoted, written(""), specials <= _NOT_IN_PLAIN)


class _ObjectsInText(Exception):
    """A Leaf holds the JSON text of objects: flatten() splits those row by
    row."""


@dataclass
class _Key:
    """One dotted key of the flattened documents."""

    present: BoolArray | None  # rows whose document holds it (None: all of them)
    null: BoolArray | None  # rows where its value is null (None: none)
    cells: list[Part]  # its cell in each row that holds it


def _flatten(
    column: Column, key: str, present: BoolArray | None, keys: dict[str, _Key]
) -> None:
    """The column's dotted keys into keys, as flatten() makes them."""
    if isinstance(column, Leaf) and holds_json_text(column):
        values = python_values(column)
        if any(isinstance(value, dict) and value for value in values):
            raise _ObjectsInText(key)
        _add(keys, key, _Key(present, nulls_of(column), [_written(values)]))
        return
    if isinstance(column, Leaf):
        column = shaped(column)
    if isinstance(column, Obj) and column.fields:
        valid = column.valid
        if valid is not None and not valid.all():
            absent = _both(present, ~valid)
            _add(keys, key, _Key(absent, np.ones(len(column), dtype=bool), [b""]))
            present = _both(present, valid)
        for name, child in column.fields.items():
            _flatten(child, f"{key}.{name}", present, keys)
    elif (
        isinstance(column, Constant) and isinstance(column.value, dict) and column.value
    ):
        for name, value in column.value.items():
            _flatten(Constant(value, column.count), f"{key}.{name}", present, keys)
    else:
        _add(keys, key, _Key(present, nulls_of(column), _cells(column)))


def _add(keys: dict[str, _Key], name: str, key: _Key) -> None:
    """key under name; over a key of the same name (a field named 'a.b'
    beside an object 'a' with a field 'b') it wins where present, as the
    later one does in flatten()."""
    old = keys.get(name)
    if old is None or key.present is None:
        keys[name] = key
        return
    count = len(key.present)
    later = pa.array(key.present)
    null = np.where(key.present, _rows(key.null, count), _rows(old.null, count))
    cells = pc.if_else(later, joined(key.cells, count), joined(old.cells, count))
    present = None if old.present is None else old.present | key.present
    keys[name] = _Key(present, null, [cells])


def _varying(keys: dict[str, _Key], columns: Sequence[str], count: int) -> bool:
    """True when a document holds a key the columns lack (a null object
    whose fields are columns aside)."""
    known = set(columns)
    for name, key in keys.items():
        if name in known:
            continue
        extra = _rows(key.present, count, True)
        prefix = f"{name}."
        if key.null is not None and any(
            column.startswith(prefix) for column in columns
        ):
            extra = extra & ~key.null
        if extra.any():
            return True
    return False


def _column(key: _Key | None, count: int) -> list[Part]:
    """A column's cells: empty in the rows whose document lacks its key."""
    if key is None:
        return [b""]
    if key.present is None:
        return key.cells
    return [where(~key.present, "", joined(key.cells, count))]


def _cells(column: Column) -> list[Part]:
    """The column's values as cells (not an object with fields, nor a Leaf
    of structs or lists: _flatten shapes and flattens those): nulls empty,
    JSON text for lists and objects."""
    if isinstance(column, Constant):
        return [_quoted_text(str(csv_cell(column.value))).encode()]
    if not isinstance(column, Leaf):  # lists, objects without fields
        return [where(nulls_of(column), "", _quoted(json_texts(column)))]
    values = column.values
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if not (column.plain and _quoting().plain_bare):
            values = _quoted(values)
        return [values] if not values.null_count else [where(None, "", values)]
    plain = column.plain

    def words(dictionary: pa.Array) -> pa.Array:
        return joined(_cells(Leaf(dictionary, plain=plain)), len(dictionary))

    return [typed_texts(values, "", _floats, words, _python_cells)]


def _python_cells(values: pa.Array) -> pa.Array:
    """The cells of the values' Python values (times, decimals...)."""
    return _written(values.to_pylist())


def _written(values: Sequence[Any]) -> pa.Array:
    """Python values as cells: csv_cell's text (str()), quoted as the csv
    writer quotes it."""
    return _quoted(listed(str(csv_cell(value)) for value in values))


def _floats(values: pa.Array) -> pa.Array:
    """Python's str() of each float: orjson's text where they agree (0 and
    magnitudes from 1e-4 on, finite), str() itself for the rest."""
    texts = float_texts(values)
    numbers = pc.fill_null(values.cast(pa.float64()), 0.0).to_numpy()
    with np.errstate(invalid="ignore"):
        odd = ~np.isfinite(numbers) | ((np.abs(numbers) < 1e-4) & (numbers != 0))
    rows = np.flatnonzero(odd)
    return substituted(texts, rows, listed(map(str, numbers[rows].tolist())))


def _quoted(texts: pa.Array) -> pa.Array:
    """texts, the ones holding what the csv writer quotes in quotes (their
    quotes doubled)."""
    rows = rows_holding(texts, _quoting().quoted)
    if not rows.size:
        return texts
    inner = pc.replace_substring(texts.take(pa.array(rows)), '"', '""')
    quote = pa.scalar('"', texts.type)
    quoted = pc.binary_join_element_wise(quote, inner, quote, pa.scalar("", texts.type))
    return substituted(texts, rows, quoted)


def _quoted_text(text: str) -> str:
    table = _quoting().quoted
    if any(ord(char) < 128 and table[ord(char)] for char in text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _both(present: BoolArray | None, rows: BoolArray) -> BoolArray:
    return rows if present is None else present & rows


def _rows(rows: BoolArray | None, count: int, default: bool = False) -> BoolArray:
    """rows, or count of default where None."""
    if rows is None:
        return np.full(count, default, dtype=bool)
    return rows
