"""References between the streams of one run: a field of a child stream (an
order's customer_id) holding a key of a parent stream made earlier in the run
(a customer's id).

The run makes parents before children (stream_order) and gathers, while a
parent is written, the parent fields its children read (Pool). Before a child
starts, the run builds what its documents draw with (RunReferences.prepare):
a Sampler per skew (uniform, Zipf, a histogram) or, for `records_per`, an
Assignment of each child to its parent. Forked workers inherit all of it, and
every draw comes from the drawing document's seeded RNG (or its index in the
run), so a seed repeats every reference whatever --workers. A parent record
whose referenced field is missing or null is never referenced, so no child
holds a key its parent stream lacks.

This module is long (over 300 lines) because its parts are one contract:
the reference spec, its checks, and the pools and samplers a run draws from.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from random import Random
from typing import Any

import orjson

from datagen.encoders import dumps_line
from datagen.errors import ConfigError
from datagen.seeding import derive_seed

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


@dataclass(frozen=True)
class Reference:
    """Field `field` of a child stream holds `key` of a record of `stream`,
    drawn with `skew`, or, with `records_per` (lo, hi), each parent has lo
    to hi children, which come grouped by parent in the parents' order."""

    field: str
    stream: str
    key: str
    skew: Skew = UNIFORM
    records_per: tuple[int, int] | None = None

    @property
    def target(self) -> str:
        return f"{self.stream}.{self.key}"


def references_of(
    child: str,
    references: Mapping[str, str],
    records_per: Mapping[str, Sequence[int]] | None = None,
) -> tuple[Reference, ...]:
    """A Python provider's `references` ({field: "stream.field"}) and
    `records_per` ({field: (lo, hi)}) as References (uniform); ConfigError
    naming the provider's attribute at fault."""
    found = []
    records_per = records_per or {}
    for name in records_per:
        if name not in references:
            raise ConfigError(
                f"provider '{child}': records_per names {name!r}, which is not "
                "in its references"
            )
    for name, text in references.items():
        try:
            stream, key = split_target(text)
        except ConfigError as exc:
            raise ConfigError(f"provider '{child}': references {name}: {exc}") from None
        counts = records_per.get(name)
        try:
            many = None if counts is None else per_parent(counts)
        except ConfigError as exc:
            raise ConfigError(
                f"provider '{child}': records_per {name}: {exc}"
            ) from None
        found.append(Reference(name, stream, key, records_per=many))
    problem = one_to_many_problem(found)
    if problem:
        raise ConfigError(f"provider '{child}': {problem}")
    return tuple(found)


def one_to_many_problem(references: Iterable[Reference]) -> str | None:
    """What is wrong when more than one reference of a stream has
    records_per (its count would have two answers), else None."""
    many = [ref.field for ref in references if ref.records_per is not None]
    if len(many) > 1:
        return (
            f"records_per on {' and '.join(many)}: a stream takes its count from "
            "one parent at most"
        )
    return None


def stream_order(streams: Mapping[str, Sequence[Reference]]) -> list[str]:
    """The streams (in the order given, {name: its references}) with every
    parent before its children; ConfigError for a reference to a stream not
    in the run, or a cycle."""
    names = list(streams)
    for child, references in streams.items():
        for ref in references:
            if ref.stream not in streams:
                raise ConfigError(
                    f"{child}.{ref.field} references {ref.target}, but "
                    f"{ref.stream} is not in this run (streams: {', '.join(names)}"
                    f"): add -p {ref.stream}"
                )
    order: list[str] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name) :] + [name]
            raise ConfigError(
                f"the streams' references go round in a cycle: {' -> '.join(cycle)}"
                " (a stream's parents must not reference it)"
            )
        state[name] = "visiting"
        for ref in streams[name]:
            visit(ref.stream, [*path, name])
        state[name] = "done"
        order.append(name)

    for name in names:
        visit(name, [])
    return order


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


class RunReferences:
    """What one run's streams reference: the pools of its parents, gathered
    as they are written, and the samplers and assignments built from them.
    `streams` is {stream: its references}, every stream of the run."""

    def __init__(self, seed: int, streams: Mapping[str, Sequence[Reference]]) -> None:
        self.seed = seed
        self.streams = {name: tuple(refs) for name, refs in streams.items()}
        needed: dict[str, list[str]] = {}
        for refs in self.streams.values():
            for ref in refs:
                needed.setdefault(ref.stream, []).append(ref.key)
        #: The pool of each stream some stream references.
        self.pools = {name: Pool(name, keys) for name, keys in needed.items()}
        self._samplers: dict[tuple[str, Skew], Sampler] = {}
        self._assignments: dict[str, tuple[str, Assignment]] = {}

    def sampler(self, stream: str, skew: Skew) -> Sampler:
        """The sampler of stream's pool with skew, built once (the same
        busiest parents for every child of stream)."""
        found = self._samplers.get((stream, skew))
        if found is None:
            size = len(self.pools[stream])
            found = Sampler(size, skew, derive_seed(self.seed, "references", stream))
            self._samplers[(stream, skew)] = found
        return found

    def prepare(self, child: str) -> int | None:
        """Before child starts: its parents' pools checked, its samplers and
        assignment built (so forked workers inherit them). Returns its count
        when records_per sets it, else None."""
        count = None
        for ref in self.streams[child]:
            self.pools[ref.stream].check()
            if ref.records_per is None:
                self.sampler(ref.stream, ref.skew)
                continue
            seed = derive_seed(self.seed, "records_per", child, ref.field)
            assignment = Assignment(len(self.pools[ref.stream]), ref.records_per, seed)
            if assignment.total == 0:
                raise ConfigError(
                    f"{child}.{ref.field}: records_per {list(ref.records_per)} "
                    f"gave no records for {len(assignment.counts):,} {ref.stream}"
                )
            self._assignments[child] = (ref.stream, assignment)
            count = assignment.total
        return count

    def assignment(self, child: str) -> tuple[str, Assignment] | None:
        """(parent stream, Assignment) when child has records_per."""
        return self._assignments.get(child)

    def picker(self, child: str, stream: str, key: str, skew: Skew) -> Picker:
        """What a document of child draws stream.key with; ConfigError
        unless child declares that reference (its parent then ran first)."""
        if stream not in self.streams or child not in self.streams:
            raise not_in_run(child, stream, key)
        pool = self.pools[stream] if stream in self.pools else None
        declared = any(
            ref.stream == stream and ref.key == key for ref in self.streams[child]
        )
        if pool is None or not declared:
            raise ConfigError(
                f"provider '{child}' draws {stream}.{key}, which it does not "
                f"declare: add {{'<field>': '{stream}.{key}'}} to its references"
            )
        column = pool.columns[key]
        assigned = self._assignments.get(child)
        if assigned is not None and assigned[0] == stream:
            parent_of = assigned[1].parent
            return lambda rng, index: column[parent_of(index)]
        draw = self.sampler(stream, skew).draw
        return lambda rng, index: column[draw(rng)]


def not_in_run(child: str, stream: str, key: str) -> ConfigError:
    return ConfigError(
        f"provider '{child}' references {stream}.{key}, but {stream} is not "
        f"made in this run: run both (document -p {stream} ... -p {child} ...)"
    )


_active: RunReferences | None = None


@contextmanager
def active_references(run: RunReferences) -> Iterator[RunReferences]:
    """While the block: documents draw their references from run (forked
    workers inherit it)."""
    global _active
    before, _active = _active, run
    try:
        yield run
    finally:
        _active = before


def picker_for(child: str, stream: str, key: str, skew: Skew = UNIFORM) -> Picker:
    """What a document of child draws stream.key with in the active run;
    ConfigError when no run makes stream beside child."""
    if _active is None:
        raise not_in_run(child, stream, key)
    return _active.picker(child, stream, key, skew)
