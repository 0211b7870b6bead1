"""Mimesis's masks (Random.generate_string_by_mask, behind person.identifier,
person.telephone, address.postal_code, code.pin ...) a block at a time.

Mimesis works on the mask's UTF-8 bytes: each byte equal to `char` becomes
an uppercase ASCII letter, each equal to `digit` a digit, every other byte
stays. Here the bytes of n masks are one (n, width) uint8 matrix, the
placeholders filled four at a time from tables, wrapped as an Arrow string
array without copying; masks of several widths are packed row after row.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pyarrow as pa

from datagen.engine.columns.block import Leaf
from datagen.engine.columns.mimesis.data import json_escapes
from datagen.engine.columns.mimesis.parts import text_leaf
from datagen.engine.columns.texts import fixed_width, from_buffers
from datagen.engine.columns.values import is_plain_text

#: Placeholders are filled 4 at a time: one bounded uint32 draw names a
#: row of a table of every 4 letters (26**4 rows) or 4 digits (10**4), a
#: draw per 4 characters being cheaper than a uint8 draw per character.
_CHUNK = 4
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = b"0123456789"


@cache
def _chunks(alphabet: bytes) -> np.ndarray:
    """Every _CHUNK characters of alphabet, each packed in one uint32."""
    size = len(alphabet)
    letters = np.frombuffer(alphabet, dtype=np.uint8)
    table = np.empty((size**_CHUNK, _CHUNK), dtype=np.uint8)
    for position in range(_CHUNK):
        inner = size ** (_CHUNK - 1 - position)  # rows per letter here
        table[:, position] = np.tile(np.repeat(letters, inner), size**position)
    return table.view(np.uint32).ravel()


def random_chars(
    alphabet: bytes, rng: np.random.Generator, shape: tuple[int, int]
) -> np.ndarray:
    """A uint8 array of shape, each byte uniform over alphabet."""
    rows, count = shape
    if len(alphabet) ** _CHUNK > 2**20:  # a table too big: a draw each
        letters = np.frombuffer(alphabet, dtype=np.uint8)
        return letters[rng.integers(0, len(letters), shape)]
    table = _chunks(alphabet)
    chunks = -(-count // _CHUNK)
    drawn = rng.integers(0, len(table), (rows, chunks), dtype=np.uint32)
    packed = table[drawn].view(np.uint8).reshape(rows, chunks * _CHUNK)
    return packed[:, :count]


def check_placeholders(char: str, digit: str) -> None:
    """ValueError unless char and digit are two different ASCII characters."""
    for name, value in (("char", char), ("digit", digit)):
        if not isinstance(value, str) or len(value) != 1 or not value.isascii():
            raise ValueError(f"the {name} placeholder must be one ASCII character")
    if char == digit:
        raise ValueError(
            "The same placeholder cannot be used for both numbers and characters."
        )


def mask_column(
    mask: str, rng: np.random.Generator, n: int, char: str = "@", digit: str = "#"
) -> Leaf:
    """n texts of mask, its char placeholders letters, digit ones digits."""
    check_placeholders(char, digit)
    template = np.frombuffer(mask.encode(), dtype=np.uint8)
    width = len(template)
    matrix = np.empty((n, width), dtype=np.uint8)
    fixed = np.ones(width, dtype=bool)
    for placeholder, alphabet in ((char, _LETTERS), (digit, _DIGITS)):
        where = np.flatnonzero(template == ord(placeholder))
        fixed[where] = False
        if len(where):
            drawn = random_chars(alphabet, rng, (n, len(where)))
            _put_columns(matrix, where, drawn)
    literal = np.flatnonzero(fixed)
    if len(literal):
        _put_columns(matrix, literal, template[literal])
    return _leaf(fixed_width(matrix), [mask], char, digit)


def masks_column(
    masks: Sequence[str],
    rng: np.random.Generator,
    n: int,
    char: str = "@",
    digit: str = "#",
) -> Leaf:
    """n texts, each of a mask chosen uniformly from masks (Mimesis's
    random.choice of a locale's formats, then the mask filled)."""
    check_placeholders(char, digit)
    if len(set(masks)) == 1:
        return mask_column(masks[0], rng, n, char, digit)
    encoded = [mask.encode() for mask in masks]
    lengths = np.array([len(raw) for raw in encoded], dtype=np.int64)
    width = int(lengths.max())
    templates = np.zeros((len(encoded), width), dtype=np.uint8)
    for row, raw in enumerate(encoded):
        templates[row, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    chosen = rng.integers(0, len(encoded), n)
    matrix = templates[chosen]
    for placeholder, alphabet in ((char, _LETTERS), (digit, _DIGITS)):
        where = matrix == ord(placeholder)
        count = int(np.count_nonzero(where))
        if count:
            np.putmask(matrix, where, random_chars(alphabet, rng, (1, count)))
    row_lengths = lengths[chosen]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(row_lengths, out=offsets[1:])
    if (lengths != width).any():
        inside = np.arange(width) < lengths[:, None]
        matrix = matrix[inside[chosen]]
    return _leaf(from_buffers(offsets, matrix), masks, char, digit)


def _put_columns(matrix: np.ndarray, columns: np.ndarray, values: np.ndarray) -> None:
    """matrix[:, columns] = values, as a slice when the columns are a run."""
    first, last = int(columns[0]), int(columns[-1])
    if last - first + 1 == len(columns):
        matrix[:, first : last + 1] = values
    else:
        matrix[:, columns] = values


def _leaf(values: pa.Array, masks: Sequence[str], char: str, digit: str) -> Leaf:
    """The Leaf of the masks' texts: plain (and JSON text) from the masks'
    literal characters (letters and digits are plain)."""
    literal = "".join(masks).replace(char, "").replace(digit, "")
    return text_leaf(values, is_plain_text(literal), json_escapes(literal))


def e164_mask(mask: str, char: str = "@", digit: str = "#") -> str:
    """The mask of phone_number(e164=True): '+' and the mask's characters
    that end up digits (digit placeholders and literal digits)."""
    kept = (c for c in mask if c == digit or (c != char and c.isdigit()))
    return "+" + "".join(kept)


def alphabet_column(
    alphabet: str, width: int, rng: np.random.Generator, n: int, prefix: str = ""
) -> Leaf:
    """n texts of prefix then width characters drawn uniformly from an
    ASCII alphabet (random.choices(alphabet, k=width), '#' and hex digits)."""
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    matrix = np.empty((n, len(head) + width), dtype=np.uint8)
    matrix[:, : len(head)] = head
    matrix[:, len(head) :] = random_chars(alphabet.encode("ascii"), rng, (n, width))
    return _leaf(fixed_width(matrix), [prefix + alphabet], "", "")
