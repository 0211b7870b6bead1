"""Documents as an endless, resumable stream: what a long-lived generator
(the service's) sends, one event at a time at its own pace.

The stream of (provider, seed) is the `document -p NAME --seed SEED` run's
documents in order, block for block, with the engine that run chooses
(datagen.runs.columnar), so a service generator started with a seed sends
exactly what the command writes, and a stream resumed at index N (after a
restart) continues as if it had never stopped. Each stream owns its
provider instance: generators on other threads never share one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datagen.documents import DocumentProvider
from datagen.engine.batches import Batch
from datagen.runs.blocks import BLOCK_SIZE, plan_blocks
from datagen.runs.columnar import COLUMN_BLOCK, choose_engine
from datagen.timefmt import DEFAULT_START

#: The length of a stream that never ends (blocks are planned lazily).
ENDLESS = 2**62
#: Documents made at a time (within a block).
CHUNK = 100


class DocumentStream:
    """Documents start, start+1, ... of provider_class seeded with seed.

    A block is made CHUNK documents at a time, not whole: a generator sending
    one event every 10 s must not wait for 1,000 of a slow template to start.
    generate_many(a) then (b) gives what (a + b) does (the providers keep
    their RNG and index between calls), so the documents are the same. With
    the columnar engine a block is made whole (50,000 in a fraction of a
    second) and kept as JSON lines until sent."""

    def __init__(
        self,
        provider_class: type[DocumentProvider],
        seed: int,
        start: int = 0,
        locale: str = "en",
        now: datetime = DEFAULT_START,
    ) -> None:
        columnar = choose_engine(provider_class, "auto", locale) == "columnar"
        size = COLUMN_BLOCK if columnar else BLOCK_SIZE
        self.blocks = plan_blocks(
            ENDLESS, seed, provider_class.name, "block", size=size
        )
        self._block = self.blocks[start // size]
        self.provider = provider_class(locale, self._block.seed, now)
        self.provider.index = self._block.start
        self._left = self._block.count  # documents of the block not yet made
        self._pending: list[dict[str, Any]] = []
        #: A columnar block's documents not yet made into dicts.
        self._columns: Batch | None = None
        self._columnar = columnar
        self.position = start
        skip = start % size
        if skip:
            self._make(skip)
            self._pending.clear()

    def peek(self) -> dict[str, Any]:
        """The next document, left in the stream."""
        if not self._pending:
            self._make(CHUNK)
        return self._pending[0]

    def take(self, count: int) -> list[dict[str, Any]]:
        """The next count documents."""
        while len(self._pending) < count:
            self._make(max(count - len(self._pending), CHUNK))
        taken, self._pending = self._pending[:count], self._pending[count:]
        self.position += count
        return taken

    def _make(self, wanted: int) -> None:
        """Up to wanted more documents (at least one) into _pending."""
        if not self._left:
            self._block = self.blocks[self._block.index + 1]
            self.provider.reseed(self._block.seed)
            self.provider.index = self._block.start
            self._left = self._block.count
        count = min(wanted, self._left)
        if self._columnar:
            self._pending.extend(self._from_columns(count))
        else:
            self._pending.extend(self.provider.generate_many(count))
        self._left -= count

    def _from_columns(self, count: int) -> list[dict[str, Any]]:
        """The block's next count documents, the block made whole first."""
        block = self._block
        if self._columns is None or self._left == block.count:
            from datagen.engine.columns.batch import ColumnBatch  # numpy, Arrow

            made: Any = self.provider
            whole = ColumnBatch(made.make_block(block.start, block.count, block.seed))
            self._columns = Batch(None, whole.lines(), 0.0)
        done = block.count - self._left
        return self._columns.slice(done, done + count).events()

    def close(self) -> None:
        """Release what the provider holds (a Jsonnet template's evaluator)."""
        close = getattr(self.provider, "close", None)
        if close is not None:
            close()
