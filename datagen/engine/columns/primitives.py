"""The columns of the declarative kinds that draw plain values, n at a time
from a field's Generator: uuid, choice, integer, float, boolean, sequence,
and null_rate's mask. Values are int64, float64, bool or string arrays."""

from __future__ import annotations

from collections.abc import Sequence
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from datagen.engine.columns.block import BoolArray, IntArray, Leaf
from datagen.engine.columns.texts import fixed_width
from datagen.engine.columns.values import python_leaf, take_leaf

FloatArray = npt.NDArray[np.float64]

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
#: Byte b -> its two hex digits, as one uint16 (the digits' bytes in order).
_HEX_PAIRS = np.stack([_HEX[np.arange(256) >> 4], _HEX[np.arange(256) & 15]], axis=1)
_HEX_PAIRS16 = np.ascontiguousarray(_HEX_PAIRS).view(np.uint16).ravel()
#: A uuid's variant digit (RFC 4122: binary 10xx).
_VARIANTS = np.frombuffer(b"89ab", dtype=np.uint8)


def uuid_column(rng: np.random.Generator, n: int) -> Leaf:
    """n version-4 uuids (lower-case hex, dashed) from 16 random bytes each:
    the version digit set to 4, the variant digit's top bits to 10."""
    data = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
    pairs = _HEX_PAIRS16[data]
    text = np.empty((n, 18), dtype=np.uint16)  # 36 characters
    chars = text.view(np.uint8)
    digits = pairs.view(np.uint8)
    chars[:, 0:8] = digits[:, 0:8]
    chars[:, 9:13] = digits[:, 8:12]
    chars[:, 14:18] = digits[:, 12:16]
    chars[:, 19:23] = digits[:, 16:20]
    text[:, 12:18] = pairs[:, 10:16]  # characters 24..35, aligned
    chars[:, [8, 13, 18, 23]] = ord("-")
    chars[:, 14] = ord("4")
    chars[:, 19] = _VARIANTS[(data[:, 8] >> 4) & 3]
    return Leaf(fixed_width(chars), plain=True)


def choice_column(
    rng: np.random.Generator,
    n: int,
    words: Leaf,
    cumulative: Sequence[float] | None = None,
) -> Leaf:
    """n of words' values (python_leaf of the choices: their JSON text made
    once): uniformly, or by cumulative weights."""
    if cumulative is None:
        picks = rng.integers(0, len(words), size=n)
    else:
        bounds = np.asarray(cumulative, dtype=np.float64)
        drawn = rng.random(n) * bounds[-1]
        picks = np.minimum(
            np.searchsorted(bounds, drawn, side="right"), len(bounds) - 1
        )
    return take_leaf(words, picks)


def integer_column(rng: np.random.Generator, n: int, low: int, high: int) -> Leaf:
    """n integers in [low, high] (both within int64)."""
    values = rng.integers(low, high, endpoint=True, size=n, dtype=np.int64)
    return Leaf(pa.array(values), plain=True)


def float_column(
    rng: np.random.Generator, n: int, low: float, high: float, decimals: int | None
) -> Leaf:
    """n floats in [low, high], rounded to decimals when given."""
    values = rng.uniform(low, high, size=n)
    if decimals is not None:
        values = np.round(values, decimals)
    return Leaf(pa.array(values), plain=True)


def boolean_column(rng: np.random.Generator, n: int, chance: float) -> Leaf:
    """n booleans, each true with probability chance."""
    return Leaf(pa.array(rng.random(n) < chance), plain=True)


_INT64 = np.iinfo(np.int64)


def sequence_column(index: IntArray, start: int | float, step: int | float) -> Leaf:
    """start + step * each row's document index in the run (int64 when both
    are whole, else float64)."""
    if isinstance(start, int) and isinstance(step, int):
        ends = [start + step * int(at) for at in index[[0, -1]]] if len(index) else []
        if not all(_INT64.min <= end <= _INT64.max for end in ends):
            # past int64 (numpy would wrap round): Python's integers, per row
            return python_leaf([start + step * int(at) for at in index])
        return Leaf(pa.array(start + step * index.astype(np.int64)), plain=True)
    floats = float(start) + float(step) * index.astype(np.float64)
    return Leaf(pa.array(floats), plain=True)


def null_mask(rng: np.random.Generator, n: int, rate: float) -> BoolArray:
    """True for the rows to make null: each with probability rate."""
    mask: BoolArray = rng.random(n) < rate
    return mask
