"""A run's source from where its checkpoint stands: the blocks after it (a
document or journey run), or a stream made again with the events before it
dropped (a simulation, whose actors cannot be saved)."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import overload

from datagen.engine.batches import Batch
from datagen.runs.blocks import Block, Blocks


class BlocksFrom(Sequence[Block]):
    """blocks from index `first` on, lazily (a plan of 10**11 items stays
    free to hold); a block keeps its index, start and seed."""

    def __init__(self, blocks: Blocks, first: int) -> None:
        self.blocks = blocks
        self.indexes = range(first, len(blocks))

    def __len__(self) -> int:
        return len(self.indexes)

    @overload
    def __getitem__(self, index: int) -> Block: ...

    @overload
    def __getitem__(self, index: slice) -> list[Block]: ...

    def __getitem__(self, index: int | slice) -> Block | list[Block]:
        if isinstance(index, slice):
            return [self.blocks[i] for i in self.indexes[index]]
        return self.blocks[self.indexes[index]]

    def __iter__(self) -> Iterator[Block]:
        return (self.blocks[i] for i in self.indexes)


def skip_events(source: Iterator[Batch], count: int) -> Generator[Batch, None, None]:
    """source without its first `count` events, dropped as they are made
    (never encoded nor written; a batch across the line is cut). Closing
    this closes source (a simulation's workers stop)."""
    left = count
    try:
        for batch in source:
            if left >= len(batch):
                left -= len(batch)
                continue
            if left:
                batch, left = batch.slice(left, len(batch)), 0
            yield batch
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
