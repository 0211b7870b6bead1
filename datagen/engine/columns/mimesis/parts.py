"""Text columns made of parts: words taken from vocabularies, numbers as text
and literal text, joined row by row in Arrow (no per-row Python), with the
JSON text made only when some part is not plain."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.engine.columns.block import Leaf, ListOf
from datagen.engine.columns.mimesis.data import Pick, json_escapes, pick_of
from datagen.engine.columns.values import is_plain_text


@dataclass(frozen=True)
class Part:
    """One piece of every row's text: plain and escapes as for Vocab."""

    values: pa.Array
    plain: bool = True
    escapes: frozenset[str] = frozenset()


Piece = Part | str


def quoted(values: pa.Array, escapes: frozenset[str]) -> pa.Array:
    """Each value's JSON text, given the characters JSON escapes in them."""
    for char in sorted(escapes, key=lambda c: (c != "\\", c)):  # backslash first
        escaped = orjson.dumps(char).decode()[1:-1]
        values = pc.replace_substring(values, char, escaped)
    return pc.binary_join_element_wise('"', values, '"', "")


def text_leaf(values: pa.Array, plain: bool, escapes: frozenset[str]) -> Leaf:
    """A Leaf of text values: JSON text made when they are not plain."""
    return Leaf(values, None if plain else quoted(values, escapes), plain)


def part_leaf(part: Part) -> Leaf:
    """A Part as a column of its own."""
    return text_leaf(part.values, part.plain, part.escapes)


def join(pieces: Sequence[Piece]) -> Leaf:
    """Each row's pieces end to end (literal text the same in every row)."""
    arrays = [piece.values if isinstance(piece, Part) else piece for piece in pieces]
    values = pc.binary_join_element_wise(*arrays, "")
    plain = all(
        piece.plain if isinstance(piece, Part) else is_plain_text(piece)
        for piece in pieces
    )
    escapes = frozenset().union(
        *(
            piece.escapes if isinstance(piece, Part) else json_escapes(piece)
            for piece in pieces
        )
    )
    return text_leaf(values, plain, escapes)


def picked(chosen: Pick, rng: np.random.Generator, n: int) -> Leaf:
    """n words of the Pick, with their JSON texts taken alongside."""
    index = chosen.indices(rng, n)
    vocab = chosen.vocab
    json = None if vocab.json is None else vocab.json.take(index)
    return Leaf(vocab.values.take(index), json, vocab.plain)


def picked_part(chosen: Pick, rng: np.random.Generator, n: int) -> Part:
    """n words of the Pick as a Part of a longer text."""
    vocab = chosen.vocab
    return Part(vocab.values.take(chosen.indices(rng, n)), vocab.plain, vocab.escapes)


#: Ranges up to this many numbers are drawn as text from a vocabulary of
#: their texts (a take); wider ones are cast to text.
_NUMBER_VOCAB = 100_000


def number_part(
    rng: np.random.Generator, low: int, high: int, n: int, width: int = 0
) -> Part:
    """n integers low..high (both included) as decimal text, zero-padded to
    width digits (a width needs a range small enough for a vocabulary)."""
    if high - low < _NUMBER_VOCAB:
        return picked_part(_numbers(low, high, width), rng, n)
    if width:
        raise ValueError(f"zero-padded numbers over {_NUMBER_VOCAB} values")
    numbers = pa.array(rng.integers(low, high, n, endpoint=True))
    return Part(numbers.cast(pa.string()))


@cache
def _numbers(low: int, high: int, width: int) -> Pick:
    return pick_of(tuple(f"{number:0{width}d}" for number in range(low, high + 1)))


def _offsets(counts: np.ndarray) -> np.ndarray:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def word_lists(chosen: Pick, rng: np.random.Generator, counts: np.ndarray) -> ListOf:
    """A list per row of counts[i] words of the Pick."""
    offsets = _offsets(counts)
    return ListOf(offsets, picked(chosen, rng, int(offsets[-1])))


def joined_words(
    chosen: Pick, rng: np.random.Generator, counts: np.ndarray, separator: str
) -> Leaf:
    """Per row, counts[i] words of the Pick joined with separator."""
    offsets = _offsets(counts)
    vocab = chosen.vocab
    words = vocab.values.take(chosen.indices(rng, int(offsets[-1])))
    listed = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), words)
    values = pc.binary_join(listed, separator)
    plain = vocab.plain and is_plain_text(separator)
    return text_leaf(values, plain, vocab.escapes | json_escapes(separator))


PartMaker = Callable[[np.random.Generator, int], Part]


def rounded_texts(low: float, high: float, decimals: int) -> PartMaker:
    """The maker of numbers uniform between low and high as text with
    `decimals` decimals ('1.85'): a take from the vocabulary of every
    such text in the range."""
    scale = 10**decimals
    first = math.floor(min(low, high) * scale)
    last = math.ceil(max(low, high) * scale)
    if last - first >= _NUMBER_VOCAB:
        raise ValueError(f"over {_NUMBER_VOCAB} values between {low} and {high}")
    texts = _decimals(first, last, decimals).vocab.values

    def make(rng: np.random.Generator, n: int) -> Part:
        drawn = low + (high - low) * rng.random(n)
        index = np.clip(
            np.rint(drawn * scale).astype(np.int64) - first, 0, last - first
        )
        return Part(texts.take(index))

    return make


@cache
def _decimals(first: int, last: int, decimals: int) -> Pick:
    scale = 10**decimals
    return pick_of(tuple(f"{k / scale:.{decimals}f}" for k in range(first, last + 1)))
