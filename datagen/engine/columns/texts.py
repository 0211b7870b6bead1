"""Texts per row as Arrow string arrays, and rows joined from them: what the
block encoders (JSON lines, CSV) share.

A row is written as parts: a literal (bytes, the same in every row: keys,
separators, constants) or a string array (one text per row, no nulls). One
binary_join_element_wise puts each row's parts end to end, and the result's
data buffer is the block's bytes.

Strings are checked for the characters an encoder must treat (escape,
quote) a byte at a time over their data buffer: UTF-8 puts no ASCII byte
inside a multibyte character, so a flagged ASCII byte is that character.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Union

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.engine.columns.block import BoolArray, IntArray

Part = Union[bytes, pa.Array]
ByteTable = npt.NDArray[np.bool_]

#: Past this many bytes a string array's 32-bit offsets overflow.
_STRING_LIMIT = 2**31 - 1


def byte_table(flagged: Callable[[str], bool]) -> ByteTable:
    """256 flags: True for the ASCII characters `flagged` picks."""
    table = np.zeros(256, dtype=bool)
    for code in range(128):
        table[code] = flagged(chr(code))
    return table


def merged(parts: Iterable[Part]) -> list[Part]:
    """parts with neighbouring literals made one (empty ones dropped)."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, bytes):
            if not part:
                continue
            if out and isinstance(out[-1], bytes):
                out[-1] += part
                continue
        out.append(part)
    return out


def joined(parts: Sequence[Part], count: int) -> pa.Array:
    """Each row's parts end to end: one string array of count texts."""
    parts = merged(parts)
    arrays = [part for part in parts if not isinstance(part, bytes)]
    if not arrays:
        return repeated(b"".join(parts), count)
    if len(parts) == 1:
        return arrays[0]
    kind = _text_type(parts, count)
    args = [
        pa.scalar(part.decode(), kind) if isinstance(part, bytes) else _as(part, kind)
        for part in parts
    ]
    return pc.binary_join_element_wise(*args, pa.scalar("", kind))


def joined_bytes(parts: Sequence[Part], count: int) -> bytes:
    """The rows' texts end to end, as the bytes of one buffer."""
    parts = merged(parts)
    if not count:
        return b""
    if all(isinstance(part, bytes) for part in parts):
        return b"".join(parts) * count
    texts = joined(parts, count)
    offsets, data = string_buffers(texts)
    start, stop = int(offsets[0]), int(offsets[-1])
    return data[start:stop].tobytes()


def repeated(text: bytes, count: int) -> pa.Array:
    """text, count times."""
    offsets = np.arange(count + 1, dtype=np.int64) * len(text)
    return from_buffers(offsets, np.frombuffer(text * count, dtype=np.uint8))


def fixed_width(matrix: npt.NDArray[np.uint8]) -> pa.Array:
    """Row i of an (n, width) matrix of UTF-8 bytes as string i."""
    count, width = matrix.shape
    offsets = np.arange(count + 1, dtype=np.int64) * width
    return from_buffers(offsets, np.ascontiguousarray(matrix))


def from_buffers(offsets: IntArray, data: npt.NDArray[np.uint8]) -> pa.Array:
    """The string array of offsets (count + 1, into data) and data's UTF-8
    bytes, without copying data (large when it passes 32-bit offsets)."""
    count = len(offsets) - 1
    if int(offsets[-1]) > _STRING_LIMIT:
        return pa.LargeStringArray.from_buffers(
            count, pa.py_buffer(offsets), pa.py_buffer(data)
        )
    return pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
    )


def string_buffers(values: pa.Array) -> tuple[IntArray, npt.NDArray[np.uint8]]:
    """A string array's offsets (count + 1, into data) and data bytes."""
    wide = pa.types.is_large_string(values.type)
    width = np.dtype(np.int64 if wide else np.int32)
    _, offsets_buffer, data_buffer = values.buffers()[:3]
    if offsets_buffer is None:
        return np.zeros(len(values) + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(
        offsets_buffer,
        dtype=width,
        count=len(values) + 1,
        offset=values.offset * width.itemsize,
    ).astype(np.int64)
    if data_buffer is None:
        return offsets, np.zeros(0, dtype=np.uint8)
    return offsets, np.frombuffer(data_buffer, dtype=np.uint8)


def rows_holding(values: pa.Array, table: ByteTable) -> IntArray:
    """The rows (not null) whose text holds a byte `table` flags, in order."""
    offsets, data = string_buffers(values)
    start, stop = int(offsets[0]), int(offsets[-1])
    hits = np.flatnonzero(table[data[start:stop]])
    if not hits.size:
        return np.zeros(0, dtype=np.int64)
    rows = np.unique(np.searchsorted(offsets, hits + start, side="right") - 1)
    if values.null_count:
        rows = rows[np.asarray(values.is_valid())[rows]]
    return rows.astype(np.int64)


def substituted(values: pa.Array, rows: IntArray, texts: pa.Array) -> pa.Array:
    """values with the ones at rows replaced by texts (one per row, in order)."""
    if not rows.size:
        return values
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(values, pa.array(mask), _as(texts, values.type))


def where(rows: BoolArray | None, text: str, texts: pa.Array) -> pa.Array:
    """texts with text in the rows marked True (and in its nulls)."""
    if rows is not None and rows.any():
        texts = pc.if_else(pa.array(rows), pa.scalar(text, texts.type), texts)
    if texts.null_count:
        texts = pc.fill_null(texts, pa.scalar(text, texts.type))
    return texts


#: Texts of values: an array in, an array of as many texts out.
Texts = Callable[[pa.Array], pa.Array]


def typed_texts(
    values: pa.Array, null: str, floats: Texts, words: Texts, others: Texts
) -> Part:
    """Each value's text by its type (strings aside: each encoder has its
    own): booleans true/false, integers in decimal, floats by `floats`, a
    dictionary's words by `words` (taken by index), any other type by
    `others`; `null` where the value is null (the whole part for the null
    type)."""
    kind = values.type
    if pa.types.is_null(kind):
        return null.encode()
    if pa.types.is_dictionary(kind):
        texts = words(values.dictionary).take(values.indices)
    elif pa.types.is_boolean(kind):
        texts = pc.if_else(values, "true", "false")
    elif pa.types.is_integer(kind):
        texts = values.cast(pa.string())
    elif pa.types.is_floating(kind):
        texts = floats(values)
    else:
        texts = others(values)
    return where(None, null, texts)


def listed(texts: Iterable[str], kind: pa.DataType = pa.string()) -> pa.Array:
    """Texts made in Python (rare rows) as a string array."""
    return pa.array(list(texts), kind)


def split_numbers(numbers: npt.NDArray[np.generic]) -> pa.Array:
    """orjson's text of each number (its numpy form's, one call for all)."""
    count = len(numbers)
    if not count:
        return pa.array([], pa.string())
    dumped = orjson.dumps(numbers, option=orjson.OPT_SERIALIZE_NUMPY)
    body = np.frombuffer(dumped, dtype=np.uint8)[1:-1]
    commas = np.flatnonzero(body == ord(","))
    offsets = np.empty(count + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1:-1] = commas - np.arange(count - 1)
    offsets[-1] = len(body) - (count - 1)
    return from_buffers(offsets, body[body != ord(",")])


def _text_type(parts: Sequence[Part], count: int) -> pa.DataType:
    """string, or large_string where a part is one or the rows could pass
    32-bit offsets."""
    size = 0
    for part in parts:
        if isinstance(part, bytes):
            size += len(part) * count
        elif pa.types.is_large_string(part.type):
            return pa.large_string()
        else:
            size += part.nbytes
    return pa.large_string() if size > _STRING_LIMIT else pa.string()


def _as(values: pa.Array, kind: pa.DataType) -> pa.Array:
    return values if values.type == kind else values.cast(kind)
