"""What a block is made from (BlockContext), what a field made per row
needs (RowFallback), and the record of such a field (Fallback)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from datagen.declarative.kinds.base import Context
from datagen.timefmt import DEFAULT_START


@dataclass
class RowFallback:
    """The row engine's Context (Mimesis Field and random, seeded by the
    caller for the block) that fields made per row draw from; the maker sets
    its index to each row's document index."""

    context: Context


@dataclass
class BlockContext:
    """A block: its seed, the run index of its first document, its number of
    documents, the run's now, and the row context for fields made per row
    (None when the maker has no fallbacks). `keep`: how many of the
    documents the run keeps (None: all); the columns are drawn for all of
    them (so a run's last, short block holds what a longer run's does) and
    fields made per row only for those kept."""

    seed: int
    start: int
    count: int
    now: datetime = DEFAULT_START
    row: RowFallback | None = None
    keep: int | None = None
    #: The provider whose documents these are (what references draw for).
    stream: str = ""


@dataclass(frozen=True)
class Fallback:
    """A top-level field made per row: path is its name, reason says why
    (naming the part inside it, dotted, that has no vectorised form)."""

    path: str
    reason: str
