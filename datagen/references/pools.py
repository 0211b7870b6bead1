"""What children draw from: a parent stream's pool of keys, a skewed
sampler of its positions, and the `records_per` assignment of children to
parents. Seeded, so any --workers draws the same."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import accumulate
from random import Random
from typing import TYPE_CHECKING, Any

import orjson

from datagen.encoders import dumps_line
from datagen.errors import ConfigError
from datagen.references.skews import Skew

if TYPE_CHECKING:  # numpy: imported by the columnar draws only
    import numpy as np
    import numpy.typing as npt


def _reader(path: str) -> Callable[[Mapping[str, Any]], Any]:
    """The value at a dotted path of a document (None when missing)."""
    keys = path.split(".")
    if len(keys) == 1:
        return lambda document: document.get(path)

    def read(document: Mapping[str, Any]) -> Any:
        value: Any = document
        for key in keys:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    return read


_PLAIN = (str, int, float, bool)


class Pool:
    """The records of a parent stream its children can reference: for each
    field they read, its values, one row per record (a record missing any of
    them, or null in one, is left out). Values are kept as they appear in
    JSON, so a pool is the same whether the parent was made in this process
    or in workers (which send JSON)."""

    def __init__(self, stream: str, fields: Iterable[str]) -> None:
        self.stream = stream
        self.fields = tuple(dict.fromkeys(fields))
        self.columns: dict[str, list[Any]] = {key: [] for key in self.fields}
        self._readers = [_reader(key) for key in self.fields]
        self.seen = 0

    def __len__(self) -> int:
        return len(self.columns[self.fields[0]]) if self.fields else 0

    def gather(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """Keep the referenced fields of documents, in order."""
        self.seen += len(documents)
        if len(self.fields) == 1 and "." not in self.fields[0]:
            self._gather_one(documents)
            return
        columns = [self.columns[key] for key in self.fields]
        readers = self._readers
        for document in documents:
            row = [read(document) for read in readers]
            if None in row:
                continue
            for column, value in zip(columns, row):
                column.append(value if type(value) in _PLAIN else _plain(value))

    def _gather_one(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """gather() of one top-level field (the usual id): a third the time."""
        key = self.fields[0]
        values = [document.get(key) for document in documents]
        if all(type(value) in _PLAIN for value in values):
            self.columns[key].extend(values)
            return
        self.columns[key].extend(
            value if type(value) in _PLAIN else _plain(value)
            for value in values
            if value is not None
        )

    def check(self) -> None:
        """ConfigError when nothing in the stream can be referenced."""
        if self.fields and not len(self):
            fields = ", ".join(f"{self.stream}.{key}" for key in self.fields)
            raise ConfigError(
                f"{fields}: none of the {self.seen:,} {self.stream} records has "
                "a value there to reference (missing or null)"
            )


def _plain(value: Any) -> Any:
    """value as JSON gives it back (a datetime as its ISO text, ...)."""
    return orjson.loads(dumps_line(value))


class Sampler:
    """Positions 0..size-1 of a pool drawn with a skew, one rng.random() a
    draw. The most drawn ranks are spread over the pool by a seeded affine
    permutation (rank * a + b mod size), so the busiest parents are not
    simply the first ones."""

    def __init__(self, size: int, skew: Skew, seed: int) -> None:
        self.size = size
        self.skew = skew
        rng = Random(seed)
        self._a, self._b = _coprime(size, rng), rng.randrange(size)
        #: Cumulative weights by rank (None: uniform).
        self._cumulative: list[float] | None = None
        self._spans: list[tuple[int, int, float, float]] = []
        if skew.zipf is not None:
            weights = ((rank + 1) ** -skew.zipf for rank in range(size))
            self._cumulative = list(accumulate(weights))
        elif skew.buckets:
            self._spans = _spans(size, skew.buckets)
            self._cumulative = [span[3] for span in self._spans]
        self._total = self._cumulative[-1] if self._cumulative else 1.0
        self._array: npt.NDArray[np.float64] | None = None

    def draw(self, rng: Random) -> int:
        if self._cumulative is None:
            return int(rng.random() * self.size)
        point = rng.random() * self._total
        found = min(bisect_right(self._cumulative, point), len(self._cumulative) - 1)
        if self._spans:
            low, high, start, end = self._spans[found]
            share = (point - start) / (end - start) if end > start else 0.0
            rank = low + min(int(share * (high - low)), high - low - 1)
        else:
            rank = found
        return (rank * self._a + self._b) % self.size

    def draw_many(self, points: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """The positions draw() gives for each of points (uniform draws in
        [0, 1)), at once: the columnar engine's draws."""
        import numpy as np

        if self._cumulative is None:
            return np.minimum((points * self.size).astype(np.int64), self.size - 1)
        cumulative = self._cumulative_array()
        found = np.searchsorted(cumulative, points * self._total, side="right")
        found = np.minimum(found, len(cumulative) - 1)
        if self._spans:
            spans = np.array(self._spans, dtype=np.float64)
            low, high, start, end = (spans[found, column] for column in range(4))
            width = np.where(end > start, end - start, 1.0)
            share = np.where(end > start, (points * self._total - start) / width, 0.0)
            ranks = low + np.minimum(
                (share * (high - low)).astype(np.int64), high - low - 1
            )
            found = ranks.astype(np.int64)
        return (found * self._a + self._b) % self.size

    def _cumulative_array(self) -> npt.NDArray[np.float64]:
        import numpy as np

        if self._array is None:
            self._array = np.array(self._cumulative, dtype=np.float64)
        return self._array

    def rank_of(self, position: int) -> int:
        """The rank (0: drawn most) of a pool position: for checks."""
        return ((position - self._b) * pow(self._a, -1, self.size)) % self.size


def _coprime(size: int, rng: Random) -> int:
    """A multiplier coprime with size, so rank * a + b mod size is a permutation."""
    if size <= 2:
        return 1
    while True:
        a = rng.randrange(1, size)
        if math.gcd(a, size) == 1:
            return a


def _spans(
    size: int, buckets: tuple[tuple[float, float], ...]
) -> list[tuple[int, int, float, float]]:
    """(first rank, end rank, cumulative share before, after) of each bucket
    that holds a parent and some children; shares renormalised. Uniform when
    none is left (a tiny pool)."""
    spans = []
    edge, share_so_far, parents_so_far = 0, 0.0, 0.0
    for parents, children in buckets:
        parents_so_far += parents
        end = min(size, round(parents_so_far * size))
        if end > edge and children > 0:
            spans.append((edge, end, share_so_far, share_so_far + children))
            share_so_far += children
        edge = max(edge, end)
    return spans or [(0, size, 0.0, 1.0)]


class Assignment:
    """`records_per`: the parent of each child by its index in the run. Each
    parent gets lo..hi children (seeded), grouped by parent in the parents'
    order; `total` is the child stream's count."""

    def __init__(self, parents: int, counts: tuple[int, int], seed: int) -> None:
        rng = Random(seed)
        low, high = counts
        self.counts = [rng.randint(low, high) for _ in range(parents)]
        self._ends = list(accumulate(self.counts))
        self.total = self._ends[-1] if self._ends else 0

    def parent(self, index: int) -> int:
        return bisect_right(self._ends, index)

    def parents(self, indexes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """parent() of each index, at once."""
        import numpy as np

        return np.searchsorted(np.asarray(self._ends), indexes, side="right")
