"""File sinks: one file of JSON lines or CSV, or a folder of one JSON file each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from datagen.files.atomic import AtomicFile, write_atomic
from datagen.encoders import ENCODERS, Encoder, JsonEncoder, dumps_pretty
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
        self.encoder = encoder
        self._file: AtomicFile | None = None

    def describe(self) -> str:
        return f"file:{self.path}"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self.write_encoded(self.encoder.encode_many(events), len(events))

    def write_encoded(self, data: bytes, count: int) -> None:
        """Append count events already encoded by this sink's encoder."""
        if self._file is None:
            self._file = AtomicFile(self.path)
            self._file.write(self.encoder.header())
        self._file.write(data)
        self.delivery.sent += count
        self.delivery.acknowledged += count

    def close(self) -> Delivery:
        if self._file is not None:
            self._file.commit()
        return self.delivery

    def abort(self) -> None:
        """Drop what was written; the target file is left as it was."""
        if self._file is not None:
            self._file.discard()


class FolderSink(BaseSink):
    """Each event a pretty JSON file <prefix>_<index>.json, written atomically."""

    name = "folder"

    def __init__(self, folder: Path, prefix: str, first_index: int = 0) -> None:
        self.folder = Path(folder)
        super().__init__()
        self.prefix = prefix
        self.next_index = first_index
        self.encoder: Encoder = JsonEncoder()

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
