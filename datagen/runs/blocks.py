"""Work split into seeded blocks, run in one process or many, results in order.

A block's seed comes from the run's seed and the block's index, never from the
worker that runs it, which is why --workers never changes the output. Where
each sink of a block run is written (in the worker, or in the parent from the
bytes the worker encoded) is chosen here, in place_sinks().
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar, overload

from datagen.documents import to_locale
from datagen.encoders import Encoder, JsonLinesEncoder
from datagen.errors import ConfigError
from datagen.files.paths import safe_file_name
from datagen.registry import Registry
from datagen.runs.block_workers import ordered_results
from datagen.runs.cluster.active import active_cluster
from datagen.runs.cluster.ordered import cluster_results
from datagen.faults import FaultInjector
from datagen.runs.loop import (
    Observer,
    ProgressCallback,
    RunCheckpoint,
    RunResult,
    run_loop,
)
from datagen.engine.batches import Batch
from datagen.seeding import derive_seed
from datagen.sinks.base import BaseSink
from datagen.sinks.files import PartSink

R = TypeVar("R")
#: Documents per block: large enough to amortise a task, small enough to balance.
BLOCK_SIZE = 1000


@dataclass(frozen=True)
class Block:
    """Items start .. start+count-1 of a run, generated from seed."""

    index: int
    start: int
    count: int
    seed: int


class Blocks(Sequence[Block]):
    """The blocks of a run, made on demand: a run of 10**11 items plans in no
    time and no memory, and block i is the same Block whether it is read by
    index, in a slice or while iterating (its seed depends on i only)."""

    def __init__(
        self, total: int, seed: int, parts: tuple[object, ...], size: int
    ) -> None:
        self.total, self.seed, self.parts, self.size = total, seed, parts, size
        self._indexes = range(0, -(-total // size) if total > 0 else 0)

    def _block(self, index: int) -> Block:
        start = index * self.size
        count = min(self.size, self.total - start)
        return Block(index, start, count, derive_seed(self.seed, *self.parts, index))

    def __len__(self) -> int:
        # len() of a range past sys.maxsize raises; a plan that long never
        # ends anyway, and its length only decides whether to fork.
        return min(self._indexes.stop, sys.maxsize)

    @overload
    def __getitem__(self, index: int) -> Block: ...

    @overload
    def __getitem__(self, index: slice) -> list[Block]: ...

    def __getitem__(self, index: int | slice) -> Block | list[Block]:
        if isinstance(index, slice):
            return [self._block(i) for i in self._indexes[index]]
        return self._block(self._indexes[index])

    def __iter__(self) -> Iterator[Block]:
        return map(self._block, self._indexes)


def plan_blocks(
    total: int, seed: int, *parts: object, size: int = BLOCK_SIZE
) -> Blocks:
    """total items in blocks of `size`, each with a seed from (seed, parts, index);
    planned lazily (see Blocks)."""
    return Blocks(total, seed, parts, size)


def total_items(blocks: Sequence[Block]) -> int:
    """The items of a run's blocks, without walking a lazy plan."""
    if isinstance(blocks, Blocks):
        return max(blocks.total, 0)
    return sum(block.count for block in blocks)


def check_block_job(
    registry: Registry[Any], provider: str, quantity: int, locale: str
) -> None:
    """What a document or journey run checks before anything is written: a
    quantity, a provider that exists and can name files, a locale."""
    if quantity < 1:
        raise ConfigError(f"quantity must be at least 1, not {quantity}")
    registry.get(provider)
    safe_file_name(provider, f"{registry.kind} name")
    to_locale(locale)


def forks(workers: int, blocks: Sequence[Block]) -> bool:
    """True when run_blocks runs the blocks in worker processes: forked
    ones, or a cluster's (see datagen.runs.cluster.active)."""
    if active_cluster() is not None:
        return True
    return workers > 1 and len(blocks) > 1


def run_blocks(
    work: Callable[[Block], R], blocks: Sequence[Block], workers: int = 1
) -> Iterator[R]:
    """work(block) for each block, yielded in block order.

    With workers > 1 the blocks are made in forked processes (block_workers),
    whose results must pickle; on a cluster (a run under using_cluster),
    as Dask tasks. Closing the iterator early stops them.
    """
    cluster = active_cluster()
    if cluster is not None:
        per_task = max(cluster.shard_items or SHARD_ITEMS, 1) // _block_size(blocks)
        shards = grouped(blocks, max(per_task, 1))
        with closing(cluster_results(cluster, partial(_each, work), shards)) as made:
            for results in made:
                yield from results
        return
    if not forks(workers, blocks):
        for block in blocks:
            yield work(block)
        return
    yield from ordered_results(work, blocks, workers)


#: Items per cluster task: a task costs the scheduler a few milliseconds, so
#: a shard of this many documents (50 row blocks, one columnar block) hides it.
SHARD_ITEMS = 50_000


def _block_size(blocks: Sequence[Block]) -> int:
    if isinstance(blocks, Blocks):
        return blocks.size
    return max((block.count for block in blocks), default=1)


def grouped(blocks: Sequence[Block], size: int) -> Iterator[list[Block]]:
    """Consecutive blocks, `size` at a time (a lazy plan stays lazy)."""
    group: list[Block] = []
    for block in blocks:
        group.append(block)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def _each(work: Callable[[Block], R], blocks: list[Block]) -> list[R]:
    """One cluster task: work(block) for each of a shard's blocks."""
    return [work(block) for block in blocks]


#: What a block's maker returns: the events as dicts, or a batch (columns).
Made = list[dict[str, Any]] | Batch


@dataclass
class Placement:
    """Where a block run's sinks are written: `in_workers` by the process
    that made the block; the rest by the parent, from a batch the worker
    encoded with `encoders` (none when the block is made in the parent).
    `tables`: a parent sink takes Arrow tables (Parquet), so a block made as
    columns travels whole."""

    in_workers: list[PartSink] = field(default_factory=list)
    encoders: list[Encoder] = field(default_factory=list)
    in_parent: bool = False
    #: True when blocks are made in worker processes (bytes travel, not dicts).
    forked: bool = False
    tables: bool = False

    def batch(self, block: Block, made: Made) -> Batch:
        """The block's events (dicts, or a batch made as columns) written to
        the worker-side sinks, and the batch the parent delivers to the others."""
        events = made.events if isinstance(made, Batch) else lambda: made
        for sink in self.in_workers:
            sink.part(block.start).send_many(events())
        if not self.in_parent:
            return Batch(None, None, 0.0, count=len(made))
        if not self.forked:
            return made if isinstance(made, Batch) else Batch(made, None, 0.0)
        if isinstance(made, Batch):
            encoded = {encoder.name: made.encoded(encoder) for encoder in self.encoders}
            if self.tables:
                return made  # its columns travel, with the bytes made here
        else:
            encoded = {
                encoder.name: encoder.encode_many(made) for encoder in self.encoders
            }
            if self.tables and JsonLinesEncoder.name not in encoded:
                # a sink taking tables takes these dicts as JSON lines
                encoded[JsonLinesEncoder.name] = JsonLinesEncoder().encode_many(made)
        return Batch(None, None, 0.0, encoded=encoded, count=len(made))


def place_sinks(
    sinks: Sequence[BaseSink],
    blocks: Sequence[Block],
    workers: int,
    observed: bool = False,
    faulted: bool = False,
) -> Placement:
    """Sinks that write a file per event (PartSink: a JSON file per document, a
    zip per journey) are written in the worker that made the events: file
    creation then runs in parallel and nothing is sent back. Every other sink
    is written by the parent, in order; forked workers encode its bytes in
    its format (JSON lines for sinks that take dicts), so the parent only
    copies them. `observed`: the parent sees every record (ground truth, a
    run's record), so workers send JSON lines too; `faulted`: the parent
    faults the records and encodes them for each sink, so workers send JSON
    lines only."""
    in_workers = [sink for sink in sinks if isinstance(sink, PartSink)]
    parent = [sink for sink in sinks if sink not in in_workers]
    encoders: dict[str, Encoder] = {}
    tables = any(hasattr(sink, "write_table") for sink in parent)
    for sink in [] if faulted else parent:
        if hasattr(sink, "write_table"):
            continue  # a block's table, or its JSON lines (see Placement.batch)
        encoder = sink.encoder if sink.encoder is not None else JsonLinesEncoder()
        encoders.setdefault(encoder.name, encoder)
    if observed or faulted:
        encoders.setdefault(JsonLinesEncoder.name, JsonLinesEncoder())
    in_parent = bool(parent) or observed or faulted
    return Placement(
        in_workers, list(encoders.values()), in_parent, forks(workers, blocks), tables
    )


def _placed_block(
    make: Callable[[Block], Made], placement: Placement, block: Block
) -> Batch:
    return placement.batch(block, make(block))


def run_block_job(
    make: Callable[[Block], Made],
    blocks: Sequence[Block],
    sinks: Sequence[BaseSink],
    *,
    target: str,
    seed: int,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    faults: FaultInjector | None = None,
    observers: Sequence[Observer] = (),
    checkpoint: RunCheckpoint | None = None,
) -> RunResult:
    """A document or journey run: make(block) -> the block's events (or a
    batch of them made as columns), for each
    block, in `workers` processes (make must then be picklable: a partial of
    a module-level function), placed (place_sinks) and delivered by the one
    run loop, with `faults`, `observers` and `checkpoint` (see run_loop)."""
    placement = place_sinks(sinks, blocks, workers, bool(observers), faults is not None)
    results = run_blocks(partial(_placed_block, make, placement), blocks, workers)
    return run_loop(
        results,
        sinks,
        target=target,
        seed=seed,
        requested=total_items(blocks),
        in_workers=placement.in_workers,
        on_progress=(lambda batch: on_progress(len(batch))) if on_progress else None,
        faults=faults,
        observers=observers,
        checkpoint=checkpoint,
    )
