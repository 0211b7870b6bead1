"""A shard's part of a file: the bytes its blocks hold in the whole file.

Part k of a JSON-lines, CSV or JSON-array run is written with the one file's
Framing, told whether it is the first part (the CSV header, the array's `[`)
and the last (the array's `]`), so the parts laid end to end are the bytes
one process writes. A Parquet part is a Parquet file of its blocks' row
groups: the parts read in order are the one file's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from datagen.encoders import Encoder
from datagen.files.part_store import PartStore, is_object_store
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.files import Framing

#: What a parts folder holds besides its parts.
RUN_FILE = "run.json"
MANIFEST = "manifest.json"


def earlier_run(store: PartStore) -> list[str]:
    """What an earlier parts run (of documents or a simulation) left in the
    store: its parts, run file and manifest."""
    return [
        name
        for name in store.names()
        if name.startswith("part-") or name in (RUN_FILE, MANIFEST)
    ]


class PartFile(BaseSink):
    """One part of an encoded file, written to `path` as it comes."""

    name = "part"

    def __init__(self, path: Path, encoder: Encoder, first: bool, last: bool) -> None:
        self.path = path
        super().__init__()
        self.encoder = self._format = encoder
        self.last = last
        self._framing = Framing(encoder)
        self._framing.started = not first  # a later part has no header
        self._file: BinaryIO | None = open(path, "wb")

    def describe(self) -> str:
        return f"part:{self.path.name}"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self.write_encoded(self._format.encode_many(events), len(events))

    def write_encoded(self, data: bytes, count: int) -> None:
        assert self._file is not None
        self.delivery.sent += count
        self._file.write(self._framing.frame(data))

    def close(self) -> Delivery:
        if self._file is not None:
            if self.last:
                self._file.write(self._framing.ending())
            self._file.close()
            self._file = None
            self.delivery.acknowledged = self.delivery.sent
        return self.delivery

    def abort(self) -> Delivery:
        if self._file is not None:
            self._file.close()
            self._file = None
        self.delivery.failed = self.delivery.sent
        return self.delivery


def part_sink(
    path: Path, format_: str, encoder: Encoder | None, first: bool, last: bool
) -> BaseSink:
    """The sink writing one part in the run's format (`encoder`: jsonl's,
    csv's or a JSON array's; none for parquet)."""
    if format_ == "parquet" or encoder is None:
        from datagen.sinks.parquet import ParquetSink

        return ParquetSink(path)
    return PartFile(path, encoder, first, last)


def absolute_location(location: str | None) -> str | None:
    """A folder as an absolute path (the workers' working directory is not
    the driver's); an object store's URL as it is."""
    if location is None or is_object_store(location):
        return location
    return str(Path(location).absolute())
