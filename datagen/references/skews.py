"""How children spread over their parents (uniform, Zipf, a histogram), how
many each parent has (`records_per`), and the `stream.field` text naming a
parent's key: parsed and checked, one ConfigError line each."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

from datagen.errors import ConfigError

_STREAM = re.compile(r"[A-Za-z0-9_-]+")
_KEY = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_PARETO = re.compile(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*")
#: How far a histogram's shares may add up from 1.
_TOLERANCE = 1e-6

#: Draws a value for a document from its RNG and its index in the run.
Picker = Callable[[Random, int], Any]


@dataclass(frozen=True)
class Skew:
    """How children spread over their parents: uniformly (the default), by
    Zipf's law with exponent `zipf` (the k-th most referenced parent has
    weight 1/k**zipf), or by `buckets` of (share of parents, share of
    children), e.g. ((0.2, 0.8), (0.8, 0.2)): a fifth of the parents get
    four fifths of the children."""

    zipf: float | None = None
    buckets: tuple[tuple[float, float], ...] = ()


UNIFORM = Skew()


def zipf_skew(value: Any) -> Skew:
    """`zipf: 1.1`: ConfigError unless a finite number above 0."""
    if not _is_number(value) or not 0 < value < math.inf:
        raise ConfigError(f"must be a number above 0 (e.g. 1.1), not {value!r}")
    return Skew(zipf=float(value))


def pareto_skew(value: Any) -> Skew:
    """`skew: 80/20`: 80% of the children go to 20% of the parents."""
    match = _PARETO.fullmatch(value) if isinstance(value, str) else None
    children, parents = (float(g) for g in match.groups()) if match else (0.0, 0.0)
    if not (0 < children < 100 and 0 < parents < 100):
        raise ConfigError(
            f"must be text like 80/20 (80% of the records go to 20% of the "
            f"parents; both between 0 and 100), not {value!r}"
        )
    top = (parents / 100, children / 100)
    return Skew(buckets=(top, (1 - top[0], 1 - top[1])))


def histogram_skew(value: Any) -> Skew:
    """`histogram: [[0.2, 0.8], [0.8, 0.2]]`: pairs of (share of parents,
    share of children), each column adding up to 1."""
    example = "e.g. [[0.2, 0.8], [0.8, 0.2]]"
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(
            f"must be a list of [share of parents, share of records] ({example})"
        )
    buckets = []
    for pair in value:
        if (
            not isinstance(pair, (list, tuple))
            or len(pair) != 2
            or not all(_is_number(x) and 0 <= x <= 1 for x in pair)
            or pair[0] == 0
        ):
            raise ConfigError(
                f"{pair!r} is not [share of parents (above 0), share of records]"
                f", both 0..1 ({example})"
            )
        buckets.append((float(pair[0]), float(pair[1])))
    for column, what in ((0, "parents"), (1, "records")):
        total = sum(bucket[column] for bucket in buckets)
        if abs(total - 1) > _TOLERANCE:
            raise ConfigError(f"the shares of {what} add up to {total:g}, not 1")
    return Skew(buckets=tuple(buckets))


#: The skew keys, in the order the docs give them, and their parsers.
SKEWS: dict[str, Callable[[Any], Skew]] = {
    "zipf": zipf_skew,
    "skew": pareto_skew,
    "histogram": histogram_skew,
}


def parse_skew(**given: Any) -> Skew:
    """The skew of zipf=, skew= or histogram= (None: not given), at most one;
    ConfigError naming the key at fault."""
    named = {key: value for key, value in given.items() if value is not None}
    if len(named) > 1:
        raise ConfigError(f"give one of {', '.join(SKEWS)}, not {' and '.join(named)}")
    for key, value in named.items():
        try:
            return SKEWS[key](value)
        except ConfigError as exc:
            raise ConfigError(f"{key}: {exc}") from None
    return UNIFORM


def per_parent(value: Any) -> tuple[int, int]:
    """`records_per: [1, 5]`: each parent gets 1 to 5 records; ConfigError
    unless two whole numbers, 0 <= lo <= hi."""
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(_is_number(x) and float(x).is_integer() for x in value)
    ):
        raise ConfigError(f"must be [lo, hi], two whole numbers, not {value!r}")
    low, high = int(value[0]), int(value[1])
    if low < 0 or high < low:
        raise ConfigError(f"[{low}, {high}]: needs 0 <= lo <= hi")
    if high == 0:
        raise ConfigError(f"[{low}, {high}] gives no records")
    return low, high


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def split_target(text: Any) -> tuple[str, str]:
    """ "customers.id" -> ("customers", "id"); a nested field's path may
    follow ("customers.address.city"). ConfigError for anything else."""
    stream, _, key = text.partition(".") if isinstance(text, str) else ("", "", "")
    if not (_STREAM.fullmatch(stream) and _KEY.fullmatch(key)):
        raise ConfigError(
            f"{text!r} is not a reference: stream.field (e.g. customers.id)"
        )
    return stream, key
