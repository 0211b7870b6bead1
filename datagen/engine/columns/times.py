"""Dates and timestamps n at a time: first + step * k for k drawn in
0..count, as ISO text, epoch numbers or strftime text, the same text as the
row kinds (datagen.declarative.kinds.times) give.

When there are few possible moments (VOCABULARY_LIMIT) their text is made
once and taken by index. Otherwise ISO text comes from numpy's
datetime_as_string, strftime text from Arrow's strftime where it writes what
Python's does (the directives in _ARROW_SAME, whole seconds), else from
Python's strftime once per distinct moment of the block.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from datagen.engine.columns.block import IntArray, Leaf
from datagen.engine.columns.texts import fixed_width
from datagen.engine.columns.values import is_plain, take_leaf

#: At most this many possible moments: their text is made once, then taken.
VOCABULARY_LIMIT = 200_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DIRECTIVE = re.compile(r"%(.)", re.S)
#: strftime directives Arrow writes as Python does (C locale) ...
_ARROW_SAME = frozenset("aAbBcdDeghHIjmMnprRStTuUVwWxXy%")
#: ... these too from the year 1000 on (Python writes year 999 as 999) ...
_FROM_YEAR_1000 = frozenset("CFGY")
#: ... and these for a moment with a zone (a timestamp; a date has none).
_ZONED = frozenset("zZ")

Render = Callable[[IntArray], Leaf]


class SteppedTimes:
    """Draws k in 0..count and renders first + step * k (days since the epoch
    for dates, milliseconds for timestamps)."""

    def __init__(
        self, first: int, step: int, count: int, render: Render, words: bool
    ) -> None:
        self.first, self.step, self.count = first, step, count
        self.render = render
        #: Render every possible moment once and take them by index.
        self.by_word = words and count < VOCABULARY_LIMIT
        self._words: Leaf | None = None

    def __call__(self, rng: np.random.Generator, n: int) -> Leaf:
        picks = rng.integers(0, self.count, endpoint=True, size=n, dtype=np.int64)
        if not self.by_word:
            return self.render(self.first + self.step * picks)
        if self._words is None:
            every = np.arange(self.count + 1, dtype=np.int64)
            self._words = self.render(self.first + self.step * every)
        return take_leaf(self._words, picks)


def date_times(first: int, days: int, count: int, fmt: str | None) -> SteppedTimes:
    """Dates: first (an ordinal) + days * k, ISO (fmt None) or strftime."""
    start = first - _EPOCH_ORDINAL
    if fmt is None:
        return SteppedTimes(start, days, count, _iso_days, True)
    arrow = _arrow_writes(fmt, date.fromordinal(first).year, zoned=False)
    text = fmt

    def render(ticks: IntArray) -> Leaf:
        if arrow:
            seconds = pa.array(ticks * 86400, pa.timestamp("s"))
            return _text_leaf(pc.strftime(seconds, format=text))
        return _text_leaf(_python_texts(ticks, lambda day: _day(day).strftime(text)))

    return SteppedTimes(start, days, count, render, True)


def timestamp_times(
    first_ms: int, step_ms: int, count: int, fmt: str, whole: bool
) -> SteppedTimes:
    """Timestamps first_ms + step_ms * k: iso, epoch, epoch_ms or strftime
    text (whole: every moment is on a second)."""
    render: Render
    if fmt == "epoch_ms":
        render = _numbers
    elif fmt == "epoch" and whole:
        render = lambda ms: _numbers(ms // 1000)  # noqa: E731
    elif fmt == "epoch":
        render = lambda ms: _numbers(ms / 1000)  # noqa: E731
    elif fmt == "iso":
        render = _iso_seconds if whole else _iso_milliseconds
    else:
        render = _strftime_moments(fmt, _moment(first_ms).year, whole)
    words = fmt not in ("epoch", "epoch_ms")
    return SteppedTimes(first_ms, step_ms, count, render, words)


def _strftime_moments(fmt: str, first_year: int, whole: bool) -> Render:
    arrow = whole and _arrow_writes(fmt, first_year, zoned=True)

    def render(ms: IntArray) -> Leaf:
        if arrow:
            seconds = pa.array(ms // 1000, pa.timestamp("s", tz="UTC"))
            return _text_leaf(pc.strftime(seconds, format=fmt))
        return _text_leaf(_python_texts(ms, lambda at: _moment(at).strftime(fmt)))

    return render


def _arrow_writes(fmt: str, first_year: int, zoned: bool) -> bool:
    """True when Arrow's strftime writes fmt as Python's does from first_year on."""
    if "%" in _DIRECTIVE.sub("", fmt):  # a lone '%' at the end
        return False
    same = _ARROW_SAME | (_FROM_YEAR_1000 if first_year >= 1000 else set())
    same |= _ZONED if zoned else set()
    return all(letter in same for letter in _DIRECTIVE.findall(fmt))


def _day(day: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + day)


def _moment(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def _python_texts(ticks: IntArray, text_of: Callable[[int], str]) -> pa.Array:
    """text_of each tick, called once per distinct tick."""
    distinct, inverse = np.unique(ticks, return_inverse=True)
    words = pa.array([text_of(tick) for tick in distinct.tolist()], pa.string())
    return words.take(pa.array(inverse.astype(np.int64)))


def _text_leaf(values: pa.Array) -> Leaf:
    return Leaf(values, plain=is_plain(values))


def _numbers(values: npt.NDArray[np.int64] | npt.NDArray[np.float64]) -> Leaf:
    return Leaf(pa.array(values), plain=True)


def _iso_days(days: IntArray) -> Leaf:
    """YYYY-MM-DD (years 1 to 9999: always 10 characters)."""
    text = np.datetime_as_string(days.astype("datetime64[D]")).astype("S10")
    return Leaf(fixed_width(text.view(np.uint8).reshape(len(days), 10)), plain=True)


def _iso_seconds(ms: IntArray) -> Leaf:
    """YYYY-MM-DDTHH:MM:SSZ, as datagen.timefmt.isoformat writes UTC."""
    return _iso(ms, "s", 19)


def _iso_milliseconds(ms: IntArray) -> Leaf:
    """YYYY-MM-DDTHH:MM:SS.mmmZ."""
    return _iso(ms, "ms", 23)


def _iso(ms: IntArray, unit: Literal["s", "ms"], width: int) -> Leaf:
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit=unit)
    matrix = np.empty((len(ms), width + 1), dtype=np.uint8)
    matrix[:, :width] = text.astype(f"S{width}").view(np.uint8).reshape(-1, width)
    matrix[:, width] = ord("Z")
    return Leaf(fixed_width(matrix), plain=True)
