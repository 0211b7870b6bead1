"""File sinks: one file of JSON lines, CSV or one JSON array; a folder of a JSON
file per event or a zip and metadata per journey.

Long because the folder sinks share one piece of bookkeeping (which files are
this run's, the manifest) that is clearer beside the sinks that use it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from datagen.files.atomic import (
    TEMP_PREFIX,
    AtomicFile,
    remove_stale_temp_files,
    write_atomic,
)
from datagen.files.journey_archive import write_journey
from datagen.encoders import ENCODERS, Encoder, dumps_pretty
from datagen.errors import ConfigError, DatagenError
from datagen.files.paths import prepare_output_folder
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.options import parse_options
from datagen.sinks.spec import query_options, register_sink

#: In a folder an earlier run also wrote to: which files are the last run's.
MANIFEST = "_manifest.json"


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


class JsonArrayEncoder(Encoder, abstract=True):
    """One JSON array, an event per line: `[`, the events, `]`.

    Each event is encoded after its separator (`,` and a line break), so
    batches encoded apart (in worker processes) join into one array; Framing
    drops the first separator and ends the array. Not a --format of its
    own: `json` into one file or a stream is this (into a folder, a file per
    event)."""

    name = "json_array"
    extension = "json"
    separator = b",\n"

    def header(self) -> bytes:
        return b"["

    def encode_many(self, documents: Sequence[dict[str, Any]]) -> bytes:
        separator = self.separator
        return b"".join(separator + orjson.dumps(document) for document in documents)

    def footer(self) -> bytes:
        return b"\n]\n"


class Framing:
    """What a format puts around the events of one file or stream: its header
    before the first write (a CSV's columns, a JSON array's `[`) and, for a
    JSON array, the first event without its separator and the `]` at the
    end. One per file: it remembers whether anything was written."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.started = False

    def _header(self) -> bytes:
        """The format's header; none for a CSV whose columns are not known
        (no event came)."""
        try:
            return self.encoder.header()
        except ConfigError:
            return b""

    def frame(self, data: bytes) -> bytes:
        """data as it is written: after the header when it is the first."""
        if self.started or not data:
            return data
        self.started = True
        if isinstance(self.encoder, JsonArrayEncoder):
            data = data[len(self.encoder.separator) - 1 :]  # keep the line break
        return self._header() + data

    def ending(self) -> bytes:
        """What ends the file: the header when nothing was written, then a
        JSON array's `]`."""
        head = b"" if self.started else self._header()
        self.started = True
        if isinstance(self.encoder, JsonArrayEncoder):
            return head + self.encoder.footer()
        return head


@dataclass(frozen=True)
class FileState:
    """A FileSink's temp file at a checkpoint: its path, its length, and
    whether its header (a CSV's columns, a JSON array's `[`) is written."""

    temp: Path
    length: int
    started: bool


@dataclass(frozen=True)
class _NoOptions:
    """The options of a JSON-lines, CSV or JSON file: none."""


@register_sink
class FileSink(BaseSink):
    """Events encoded into one file, written under a temp name and renamed on
    close(), so the target only ever holds whole records."""

    name = "file"
    schemes = ("file",)

    @classmethod
    def from_url(cls, url: str) -> BaseSink:
        """`file:NAME.jsonl|csv|json` with the encoder of its extension (a
        .json file is one JSON array); `file:NAME.parquet?row_group=N` is a
        ParquetSink."""
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
        parse_options(url, _NoOptions, sink=url)  # a .jsonl/.csv/.json file takes none
        if extension == "json":  # one JSON array, as `-o x.json` writes
            return cls(path, JsonArrayEncoder())
        return cls(path, ENCODERS[extension]())

    def __init__(self, path: Path, encoder: Encoder) -> None:
        self.path = Path(path)
        super().__init__()
        self.encoder = self._format = encoder
        self._framing = Framing(encoder)
        self._file: AtomicFile | None = None
        self._ended = False

    def describe(self) -> str:
        return f"file:{self.path}"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self.write_encoded(self._format.encode_many(events), len(events))

    def write_encoded(self, data: bytes, count: int) -> None:
        """Append count events already encoded by this sink's encoder; they
        are acknowledged when the file is renamed into place on close().
        A write that fails (a full disk) drops the temp file at once: the
        target keeps its earlier content and nothing is counted delivered."""
        self.delivery.sent += count
        try:
            self._open().write(self._framing.frame(data))
        except DatagenError:
            self._drop()
            raise

    def _open(self) -> AtomicFile:
        if self._file is None:
            self._file = AtomicFile(self.path, behind=True)
        return self._file

    # A checkpointed run (datagen.runs.checkpoints) keeps the temp file
    # across a crash or a stop, and a resumed one goes on appending to it.

    def keep(self) -> None:
        """Write under a temp name that outlives this process (opened now,
        before the first write), so a later run can resume()."""
        if self._file is None:
            self._file = AtomicFile(self.path, behind=True, kept=True)

    def saved(self) -> FileState:
        """Where the file stands, everything written so far synced to disk."""
        file = self._open()
        return FileState(file.temp, file.sync(), self._framing.started)

    def resume(self, state: FileState) -> None:
        """Go on with the kept temp file of an earlier run, cut back to
        state.length (what it wrote after its checkpoint goes)."""
        self._file = AtomicFile(
            self.path, behind=True, resume=(state.temp, state.length)
        )
        self._framing.started = state.started

    def suspend(self) -> None:
        """End without renaming: what was written is kept, synced, in the
        temp file, for a later run to resume(); counted acknowledged there."""
        if self._ended or self._file is None:
            return
        self._ended = True
        try:
            self._file.keep()
        except DatagenError:
            self._drop()
            raise
        self._file = None
        self.delivery.acknowledged = self.delivery.sent

    def close(self) -> Delivery:
        """Rename the file into place; a run without events still replaces
        an earlier file (with an empty one, or a CSV header when known).
        A commit that fails counts every event failed and raises."""
        if self._ended:
            return self.delivery
        self._ended = True
        try:
            file = self._open()
            file.write(self._framing.ending())
            file.commit()
        except DatagenError:
            self._drop()
            raise
        self.delivery.acknowledged = self.delivery.sent
        return self.delivery

    def abort(self) -> Delivery:
        """Drop what was written; the target file is left as it was, and what
        was sent counts as failed."""
        self._ended = True
        self._drop()
        return self.delivery

    def _drop(self) -> None:
        self._ended = True
        if self._file is not None:
            self._file.discard()
        self.delivery.failed = self.delivery.sent - self.delivery.acknowledged


class PartSink(BaseSink):
    """A sink that writes each event to a file of its own, so blocks of a run
    can be written by the worker process that made them (see
    datagen.runs.blocks.place_sinks): part() is the sink for one block,
    count_part() tells the parent's sink what a worker wrote, and settle()
    counts what this run left whole on disk after an interrupted run.

    The run's sink (not a part) notes, when it is made, which files of its
    names the folder already holds (by inode: a file this run rewrites is a
    new one), so an interrupted run counts only its own files, and a folder
    that held anything before gets a manifest (MANIFEST) naming exactly the
    files of the last run. A folder without one holds a single run's files.
    """

    def __init__(self, folder: Path, prefix: str, part: bool = False) -> None:
        # absolute: parts are written where the run's blocks are made, which
        # for a cluster's worker is another working directory
        self.folder = Path(folder).absolute()
        self.prefix = prefix
        super().__init__()
        self._earlier: set[tuple[str, int]] = set()
        self._shared = False
        self._complete = True
        if not part:
            remove_stale_temp_files(self.folder)
            self._note_earlier_files()

    def part(self, first_index: int) -> BaseSink:
        """The sink a worker writes events first_index, first_index+1, ... to."""
        raise NotImplementedError

    def is_own(self, name: str) -> bool:
        """True when a file of this name is one this kind of run writes."""
        raise NotImplementedError

    def _note_earlier_files(self) -> None:
        if not self.folder.is_dir():
            return  # nothing earlier (a library caller's folder, made later)
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX):
                    continue
                self._shared = True
                if self.is_own(entry.name):
                    self._earlier.add((entry.name, entry.inode()))

    def earlier_files(self) -> tuple[bool, list[tuple[str, int]]]:
        """What the folder held before this run (shared with an earlier run,
        and the files of its names), for a resumed run to take over."""
        return self._shared, sorted(self._earlier)

    def take_earlier_files(self, shared: bool, files: Sequence[Sequence[Any]]) -> None:
        """A resumed run: the folder as it was before the run it continues
        (earlier_files()), so the files written then count as this run's."""
        self._shared = shared
        self._earlier = {(str(name), int(inode)) for name, inode in files}

    def own_files(self) -> list[str]:
        """The names of the files this run wrote, sorted (one directory scan)."""
        with os.scandir(self.folder) as entries:
            return sorted(
                entry.name
                for entry in entries
                if self.is_own(entry.name)
                and (entry.name, entry.inode()) not in self._earlier
            )

    def count_part(self, count: int) -> None:
        """count events written by a worker through part()."""
        self.delivery.sent += count
        self.delivery.acknowledged += count

    def settle(self, requested: int) -> int:
        """After Ctrl-C: how many whole events this run wrote to the folder
        (workers may have written blocks the parent never heard of; files
        an earlier run left are not counted)."""
        self._complete = False
        whole = self.count_own(requested)
        self.delivery.sent = self.delivery.acknowledged = whole
        return whole

    def count_own(self, requested: int) -> int:
        """How many whole events of this run, with an index under requested,
        the folder holds."""
        raise NotImplementedError

    def close(self) -> Delivery:
        """Remove temp files dead workers left; write the manifest where the
        folder is shared with an earlier run. Returns the counts."""
        remove_stale_temp_files(self.folder)
        if self._shared:
            self._write_manifest()
        return self.delivery

    def abort(self) -> Delivery:
        """After a failed run: what is on disk stays (each file is whole);
        the manifest says the run is not complete."""
        self._complete = False
        return self.close()

    def _write_manifest(self) -> None:
        files = self.own_files()
        manifest = {
            "provider": self.prefix,
            "complete": self._complete,
            "count": self.delivery.acknowledged,
            "files": files,
        }
        write_atomic(self.folder / MANIFEST, dumps_pretty(manifest))


class FolderSink(PartSink):
    """Each event a pretty JSON file <prefix>_<index>.json, written atomically."""

    name = "folder"

    def __init__(
        self, folder: Path, prefix: str, first_index: int = 0, part: bool = False
    ) -> None:
        self._name = re.compile(rf"{re.escape(prefix)}_(\d{{6,}})\.json")
        super().__init__(folder, prefix, part)
        self.next_index = first_index

    def describe(self) -> str:
        return f"folder:{self.folder}"

    def is_own(self, name: str) -> bool:
        return self._name.fullmatch(name) is not None

    def path_for(self, index: int) -> Path:
        """Where the event with this index in the run is written."""
        return self.folder / f"{self.prefix}_{index:06d}.json"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        for event in events:
            write_atomic(
                self.path_for(self.next_index), dumps_pretty(event), durable=False
            )
            self.next_index += 1
            self.delivery.sent += 1
            self.delivery.acknowledged += 1

    def part(self, first_index: int) -> FolderSink:
        return FolderSink(self.folder, self.prefix, first_index, part=True)

    def count_own(self, requested: int) -> int:
        """This run's files with an index under requested (each file is
        renamed into place whole)."""
        return sum(
            1
            for name in self.own_files()
            if (match := self._name.fullmatch(name)) and int(match[1]) < requested
        )


class JourneyFolderSink(PartSink):
    """Each event a journey record (JourneyProvider.record()), written as
    <journey>_<user_id>.zip and its metadata .json beside it; prefix is the
    journey provider's name."""

    name = "journeys"

    def __init__(self, folder: Path, prefix: str) -> None:
        super().__init__(folder, prefix)

    def describe(self) -> str:
        return f"folder:{self.folder}"

    def is_own(self, name: str) -> bool:
        return name.startswith(f"{self.prefix}_") and name.endswith((".zip", ".json"))

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        for record in events:
            write_journey(record, self.folder)
            self.delivery.sent += 1
            self.delivery.acknowledged += 1

    def part(self, first_index: int) -> JourneyFolderSink:
        return self

    def count_own(self, requested: int) -> int:
        """Remove this run's zips whose metadata was not written yet (the
        metadata marks a whole journey) and count this run's whole journeys."""
        own = set(self.own_files())
        whole = 0
        for name in own:
            if not name.endswith(".zip"):
                continue
            if f"{name[: -len('.zip')]}.json" in own:
                whole += 1
            else:
                (self.folder / name).unlink(missing_ok=True)
        return whole
