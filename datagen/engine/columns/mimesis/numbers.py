"""Builders of the Mimesis methods that are a random number: randint between
two arguments (both ends included), and uniform rounded to a precision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from datagen.engine.columns.block import Leaf
from datagen.engine.columns.mimesis.args import (
    Builder,
    Unsupported,
    VectorMaker,
    arguments,
    integer,
    number,
)


def integers(low_key: str, low: int, high_key: str, high: int) -> Builder:
    """randint(low, high), the ends named by the method's two arguments
    (their defaults low and high); empty names: no arguments."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        if low_key:
            args = arguments(kwargs, **{low_key: low, high_key: high})
            first = integer(args[low_key], low_key)
            last = integer(args[high_key], high_key)
        else:
            arguments(kwargs)
            first, last = low, high
        if first > last:
            raise Unsupported(f"{low_key} is over {high_key}")
        return lambda rng, n: Leaf(
            pa.array(rng.integers(first, last, n, endpoint=True))
        )

    return build


def floats(
    low_key: str, low: float, high_key: str, high: float, precision: int, flag: str = ""
) -> Builder:
    """round(uniform(low, high), precision), the ends and the precision the
    method's arguments (with these defaults); flag names an argument that
    must stay false (as_decimal)."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        defaults: dict[str, Any] = {
            low_key: low,
            high_key: high,
            "precision": precision,
        }
        if flag:
            defaults[flag] = False
        args = arguments(kwargs, **defaults)
        if flag and args[flag]:
            raise Unsupported(f"{flag}=True")
        return uniform_floats(
            number(args[low_key], low_key),
            number(args[high_key], high_key),
            integer(args["precision"], "precision"),
        )

    return build


def uniform_floats(low: float, high: float, precision: int) -> VectorMaker:
    """The maker of round(uniform(low, high), precision) (no arguments)."""
    return lambda rng, n: Leaf(
        pa.array(np.round(low + (high - low) * rng.random(n), precision))
    )
