"""A run's blocks in shards: consecutive blocks that one cluster task makes.

Shard k is blocks [k*n, (k+1)*n) of the run's plan, so its seeds are the
blocks' own (the run seed and the block index) and its part of the output is
the same bytes whichever worker makes it, or how many there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datagen.runs.blocks import Block, Blocks, grouped
from datagen.runs.cluster.active import ActiveCluster

#: Shards each worker gets at least, when the run is small enough to need it.
SHARDS_PER_WORKER = 4
#: Items per shard by default: big enough that a task's few milliseconds of
#: scheduling are lost in its seconds of work (bench/bench_cluster.py).
DEFAULT_SHARD_ITEMS = 200_000


@dataclass(frozen=True)
class Shard:
    """Blocks of one task; `first`/`last`: the run's first or last shard."""

    index: int
    blocks: tuple[Block, ...]
    first: bool
    last: bool

    @property
    def start(self) -> int:
        return self.blocks[0].start

    @property
    def count(self) -> int:
        return sum(block.count for block in self.blocks)

    def part_name(self, extension: str) -> str:
        return f"part-{self.index:05d}.{extension}"


def balanced_shard(quantity: int, cluster: ActiveCluster) -> int:
    """Items per shard for a run of `quantity` when --shard-size is not
    given: DEFAULT_SHARD_ITEMS, or fewer so every worker gets about four
    shards (a run of 200,000 on 2 workers is not one shard on one worker)."""
    per_worker = -(-quantity // (SHARDS_PER_WORKER * cluster.workers()))
    return max(min(DEFAULT_SHARD_ITEMS, per_worker), 1)


def plan_shards(blocks: Sequence[Block], shard_items: int | None) -> list[Shard]:
    """The run's shards of about shard_items items (whole blocks, at least one)."""
    size = blocks.size if isinstance(blocks, Blocks) else max(b.count for b in blocks)
    per_shard = max((shard_items or DEFAULT_SHARD_ITEMS) // max(size, 1), 1)
    groups = list(grouped(blocks, per_shard))
    return [
        Shard(index, tuple(group), index == 0, index == len(groups) - 1)
        for index, group in enumerate(groups)
    ]
