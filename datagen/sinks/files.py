"""File sinks: one file of JSON lines or CSV; a folder of a JSON file per event or
a zip and metadata per journey."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from datagen.files.atomic import AtomicFile, remove_temp_files, write_atomic
from datagen.files.journey_archive import write_journey
from datagen.encoders import ENCODERS, Encoder, dumps_pretty
from datagen.errors import ConfigError
from datagen.files.paths import prepare_output_folder
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.spec import query_options, register_sink


def file_url_path(url: str) -> Path:
    """The path of `file:out.jsonl`, `file:///abs/out.csv` or `file:out.parquet?..`,
    its folder created; ConfigError when there is no file name."""
    parts = urlsplit(url)
    host = "" if parts.netloc in ("", "localhost") else parts.netloc
    path = Path(host + parts.path)
    if not path.name:
        raise ConfigError(f"file sink '{url}' names no file")
    prepare_output_folder(path.parent)
    return path


@register_sink
class FileSink(BaseSink):
    """Events encoded into one file, written under a temp name and renamed on
    close(), so the target only ever holds whole records."""

    name = "file"
    schemes = ("file",)

    @classmethod
    def from_url(cls, url: str) -> BaseSink:
        """`file:NAME.jsonl|csv|json` with the encoder of its extension;
        `file:NAME.parquet?row_group=N` is a ParquetSink."""
        path = file_url_path(url)
        extension = path.suffix.lstrip(".").lower()
        if extension == "parquet":
            from datagen.sinks.parquet import ParquetSink

            return ParquetSink.from_options(path, query_options(url), sink=url)
        if extension not in ENCODERS or ENCODERS[extension].extension != extension:
            raise ConfigError(
                f"file sink '{url}': unknown extension '.{extension}' "
                "(use .jsonl, .csv, .json or .parquet)"
            )
        return cls(path, ENCODERS[extension]())

    def __init__(self, path: Path, encoder: Encoder) -> None:
        self.path = Path(path)
        super().__init__()
        self.encoder = self._format = encoder
        self._file: AtomicFile | None = None

    def describe(self) -> str:
        return f"file:{self.path}"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self.write_encoded(self._format.encode_many(events), len(events))

    def write_encoded(self, data: bytes, count: int) -> None:
        """Append count events already encoded by this sink's encoder; they
        are acknowledged when the file is renamed into place on close()."""
        if self._file is None:
            self._file = AtomicFile(self.path)
            self._file.write(self._format.header())
        self._file.write(data)
        self.delivery.sent += count

    def close(self) -> Delivery:
        if self._file is not None and not self._file.handle.closed:
            self._file.commit()
            self.delivery.acknowledged = self.delivery.sent
        return self.delivery

    def abort(self) -> Delivery:
        """Drop what was written; the target file is left as it was, and what
        was sent counts as failed."""
        if self._file is not None:
            self._file.discard()
        self.delivery.failed = self.delivery.sent - self.delivery.acknowledged
        return self.delivery


class PartSink(BaseSink):
    """A sink that writes each event to a file of its own, so blocks of a run
    can be written by the worker process that made them (see
    datagen.runs.blocks.place_sinks): part() is the sink for one block,
    count_part() tells the parent's sink what a worker wrote, and settle()
    counts what is whole on disk after an interrupted run."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        super().__init__()

    def part(self, first_index: int) -> BaseSink:
        """The sink a worker writes events first_index, first_index+1, ... to."""
        raise NotImplementedError

    def count_part(self, count: int) -> None:
        """count events written by a worker through part()."""
        self.delivery.sent += count
        self.delivery.acknowledged += count

    def settle(self, requested: int) -> int:
        """After Ctrl-C: how many whole events of this run the folder holds
        (workers may have written blocks the parent never heard of)."""
        raise NotImplementedError

    def close(self) -> Delivery:
        """Remove temp files a killed worker left; returns the counts."""
        remove_temp_files(self.folder)
        return self.delivery


class FolderSink(PartSink):
    """Each event a pretty JSON file <prefix>_<index>.json, written atomically."""

    name = "folder"

    def __init__(self, folder: Path, prefix: str, first_index: int = 0) -> None:
        super().__init__(folder)
        self.prefix = prefix
        self.next_index = first_index

    def describe(self) -> str:
        return f"folder:{self.folder}"

    def path_for(self, index: int) -> Path:
        """Where the event with this index in the run is written."""
        return self.folder / f"{self.prefix}_{index:06d}.json"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        for event in events:
            write_atomic(self.path_for(self.next_index), dumps_pretty(event))
            self.next_index += 1
            self.delivery.sent += 1
            self.delivery.acknowledged += 1

    def part(self, first_index: int) -> FolderSink:
        return FolderSink(self.folder, self.prefix, first_index)

    def settle(self, requested: int) -> int:
        """The provider's files with an index under requested (each file is
        renamed into place whole); one directory scan, not a look-up each."""
        name = re.compile(rf"{re.escape(self.prefix)}_(\d{{6,}})\.json")
        with os.scandir(self.folder) as entries:
            whole = sum(
                1
                for entry in entries
                if (match := name.fullmatch(entry.name)) and int(match[1]) < requested
            )
        self.delivery.sent = self.delivery.acknowledged = whole
        return whole


class JourneyFolderSink(PartSink):
    """Each event a journey record (JourneyProvider.record()), written as
    <journey>_<user_id>.zip and its metadata .json beside it; prefix is the
    journey provider's name."""

    name = "journeys"

    def __init__(self, folder: Path, prefix: str) -> None:
        super().__init__(folder)
        self.prefix = prefix

    def describe(self) -> str:
        return f"folder:{self.folder}"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        for record in events:
            write_journey(record, self.folder)
            self.delivery.sent += 1
            self.delivery.acknowledged += 1

    def part(self, first_index: int) -> JourneyFolderSink:
        return self

    def settle(self, requested: int) -> int:
        """Remove zips whose metadata was not written yet (the metadata marks
        a whole journey) and count the whole journeys in the folder."""
        whole = 0
        for zip_path in self.folder.glob(f"{self.prefix}_*.zip"):
            if zip_path.with_suffix(".json").exists():
                whole += 1
            else:
                zip_path.unlink(missing_ok=True)
        self.delivery.sent = self.delivery.acknowledged = whole
        return whole
