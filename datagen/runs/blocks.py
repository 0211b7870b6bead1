"""Work split into seeded blocks, run in one process or many, results in order.

A block's seed comes from the run's seed and the block's index, never from the
worker that runs it, which is why --workers never changes the output.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from datagen.seeding import derive_seed

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


def plan_blocks(
    total: int, seed: int, *parts: object, size: int = BLOCK_SIZE
) -> list[Block]:
    """total items in blocks of `size`, each with a seed from (seed, parts, index)."""
    return [
        Block(index, start, min(size, total - start), derive_seed(seed, *parts, index))
        for index, start in enumerate(range(0, total, size))
    ]


def _ignore_interrupts() -> None:
    # The parent handles Ctrl-C and stops the pool; workers must not print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_blocks(
    work: Callable[[Block], R], blocks: Sequence[Block], workers: int = 1
) -> Iterator[R]:
    """work(block) for each block, yielded in block order.

    work must be picklable (a module-level function or a partial of one) when
    workers > 1. Closing the iterator early stops the worker processes.
    """
    if workers <= 1 or len(blocks) <= 1:
        for block in blocks:
            yield work(block)
        return
    context = multiprocessing.get_context("fork")
    pool = context.Pool(min(workers, len(blocks)), initializer=_ignore_interrupts)
    try:
        yield from pool.imap(work, blocks, chunksize=1)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
