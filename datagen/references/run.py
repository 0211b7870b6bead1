"""One run's references: the pools of its parents, gathered as they are
written, the samplers and assignments built from them, and the run whose
pools documents draw from (forked workers inherit it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from datagen.errors import ConfigError
from datagen.references.pools import Assignment, Pool, Sampler
from datagen.references.skews import UNIFORM, Picker, Skew
from datagen.references.streams import Reference
from datagen.seeding import derive_seed

if TYPE_CHECKING:  # numpy: imported by the columnar draws only
    import numpy as np
    import numpy.typing as npt


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

    def positions(
        self, child: str, stream: str, key: str, skew: Skew
    ) -> Callable[[npt.NDArray[np.float64], npt.NDArray[np.int64]], Any]:
        """What a block of child draws stream.key with, at once: a function
        of the block's uniform draws and document indexes giving the pool
        positions (see picker(), whose checks it shares); values(stream,
        key) holds what they point at."""
        self.picker(child, stream, key, skew)  # the same checks, one message
        assigned = self._assignments.get(child)
        if assigned is not None and assigned[0] == stream:
            parents = assigned[1].parents
            return lambda points, indexes: parents(indexes)
        draw_many = self.sampler(stream, skew).draw_many
        return lambda points, indexes: draw_many(points)

    def values(self, stream: str, key: str) -> list[Any]:
        """The pool of stream's key values, in the order parents were written."""
        return self.pools[stream].columns[key]


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


def active_run(child: str, stream: str, key: str) -> RunReferences:
    """The active run; ConfigError when no run makes stream beside child."""
    if _active is None:
        raise not_in_run(child, stream, key)
    return _active


def picker_for(child: str, stream: str, key: str, skew: Skew = UNIFORM) -> Picker:
    """What a document of child draws stream.key with in the active run;
    ConfigError when no run makes stream beside child."""
    return active_run(child, stream, key).picker(child, stream, key, skew)
