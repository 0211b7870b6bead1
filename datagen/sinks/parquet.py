"""The Parquet sink: events as row groups of one file, nested objects as structs.

`file:out.parquet?row_group=10000`: the schema comes from the first row group;
the file is written under a temp name and renamed on close(), so the target is
always a whole, readable file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen.files.atomic import AtomicFile, naming
from datagen.files.write_behind import WriteBehind
from datagen.errors import ConfigError, DatagenError, SinkError, first_line
from datagen.errors import missing_package

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ModuleNotFoundError as exc:  # optional: only this sink needs it
    raise missing_package(exc, "the parquet sink (file:NAME.parquet)") from None
from datagen.files.parquet_types import stored_type
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.options import parse_options

log = logging.getLogger(__name__)
DEFAULT_ROW_GROUP = 10_000
COMPRESSIONS = ("snappy", "zstd", "gzip", "none")


@dataclass(frozen=True)
class ParquetOptions:
    """The `file:NAME.parquet?...` options (see docs/sinks.md)."""

    row_group: int = DEFAULT_ROW_GROUP
    compression: str = "snappy"


class ParquetSink(BaseSink):
    """Buffers row_group events, writes each batch as one row group; close() renames.

    Events are acknowledged when the file is renamed into place: before that
    no reader can see them.
    """

    name = "parquet"
    Options = ParquetOptions

    def __init__(
        self,
        path: Path,
        row_group: int = DEFAULT_ROW_GROUP,
        compression: str = "snappy",
    ) -> None:
        self.path = Path(path)
        super().__init__()
        if row_group < 1:
            raise ConfigError(f"row_group must be at least 1, not {row_group}")
        if compression not in COMPRESSIONS:
            raise ConfigError(
                f"compression must be one of {', '.join(COMPRESSIONS)}, "
                f"not '{compression}'"
            )
        self.row_group = row_group
        self.compression = compression
        self._file: AtomicFile | None = None
        self.pending: list[dict[str, Any]] = []
        self.written = 0
        self.schema: pa.Schema | None = None
        self._behind = WriteBehind()
        self._fields: frozenset[str] = frozenset()
        self._writer: pq.ParquetWriter | None = None
        self._closed = False

    @classmethod
    def from_options(
        cls, path: Path, query: Mapping[str, str], sink: str | None = None
    ) -> ParquetSink:
        """A sink from the `file:` URL's options (`sink`, the spec, for messages):
        row_group, compression; any other key is a ConfigError."""
        spec = sink or f"file:{path}"
        options = parse_options(query, ParquetOptions, sink=spec)
        return cls(path, options.row_group, options.compression)

    def describe(self) -> str:
        return f"file:{self.path}"

    @property
    def temp(self) -> Path | None:
        """The temp file beside path that becomes it on close() (a random
        name, made when the first row group is written)."""
        return self._file.temp if self._file is not None else None

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if self._closed:
            raise SinkError(f"{self.describe()}: the sink is closed")
        self.delivery.sent += len(events)
        self.pending.extend(events)
        while len(self.pending) >= self.row_group:
            batch = self.pending[: self.row_group]
            del self.pending[: self.row_group]
            self._write(batch)

    def flush(self) -> None:
        """Write what is buffered as a (smaller) row group."""
        if self.pending:
            batch, self.pending = self.pending, []
            self._write(batch)

    def write_table(self, table_of: Callable[[], pa.Table], count: int) -> None:
        """A block made as columns, its table_of() written as one row group
        (after what is buffered); its columns must be the first row group's,
        in order. A table that cannot be made is a SinkError, as a row that
        does not fit."""
        if self._closed:
            raise SinkError(f"{self.describe()}: the sink is closed")
        self.flush()
        self.delivery.sent += count

        def typed() -> pa.Table:
            table = table_of()
            if self._writer is None:
                self._open(table.schema)
            assert self.schema is not None
            if table.schema.names != self.schema.names:
                raise SinkError(
                    f"{self.describe()}: a block's columns "
                    f"({', '.join(table.schema.names)}) are not the first row "
                    "group's"
                )
            return table.cast(self.schema)

        self._write_group(typed, count)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        def table() -> pa.Table:
            if self._writer is None:
                self._open(pa.Table.from_pylist(rows).schema)
            else:
                self._check_fields(rows)
            return pa.Table.from_pylist(rows, schema=self.schema)

        self._write_group(table, len(rows))

    def _write_group(self, make: Callable[[], pa.Table], count: int) -> None:
        """The table make() gives written as one row group of count events;
        an event that does not fit the schema is a SinkError, a full disk
        drops the file."""
        try:
            table = make()
            assert self._writer is not None
            # on a thread: the next block is made meanwhile (Arrow lets go
            # of the GIL); its errors come with the next group or close()
            self._behind.call(self._writer.write_table, table, row_group_size=count)
        except SinkError:
            self.delivery.failed += count
            raise
        except DatagenError:
            self._drop()
            raise
        except OSError as exc:  # a full disk: the file is dropped
            self._drop()
            with naming(self.path):
                raise exc
        except (pa.ArrowException, ValueError, TypeError) as exc:
            self.delivery.failed += count
            raise SinkError(
                f"{self.describe()}: an event does not fit the schema of the first "
                f"row group: {first_line(exc)}"
            ) from exc
        self.written += count

    def _open(self, inferred: pa.Schema) -> None:
        """The file's schema from the first row group's (nested objects are
        structs; what no value typed is text)."""
        self.schema = pa.schema(
            [field.with_type(stored_type(field.type)) for field in inferred],
            metadata=inferred.metadata,
        )
        self._fields = frozenset(self.schema.names)
        compression = None if self.compression == "none" else self.compression
        self._file = AtomicFile(self.path)
        self._writer = pq.ParquetWriter(
            self._file.handle, self.schema, compression=compression
        )

    def _check_fields(self, rows: list[dict[str, Any]]) -> None:
        """Refuse top-level fields the schema lacks: pyarrow would drop them."""
        for row in rows:
            if not self._fields.issuperset(row):
                extra = sorted(set(row) - self._fields)[0]
                raise SinkError(
                    f"{self.describe()}: field '{extra}' is not in the schema of the "
                    "first row group; use a larger row_group or a JSON lines file"
                )

    def close(self) -> Delivery:
        """Write the last row group and rename the file into place; a run
        without events still replaces an earlier file (with a Parquet file
        of no columns).

        A last row group that does not fit is counted failed (and logged)
        and the row groups before it are kept; a file that cannot be written
        (a full disk) is dropped, every event counted failed, and an
        OutputError naming it raised.
        """
        if self._closed:
            return self.delivery
        self._closed = True
        try:
            self.flush()
        except SinkError as error:
            log.warning("%s", error)
        except DatagenError:
            self._drop()
            raise
        try:
            if self._writer is None:
                self._open(pa.schema([]))
            assert self._writer is not None and self._file is not None
            with naming(self.path):
                self._behind.drain()
                self._writer.close()
            self._file.commit()
        except DatagenError:
            self._drop()
            raise
        self.delivery.acknowledged += self.written
        return self.delivery

    def abort(self) -> Delivery:
        """Drop what was written; the target file is left as it was."""
        self._closed = True
        self._drop()
        return self.delivery

    def _drop(self) -> None:
        """Forget the temp file; what was sent and not acknowledged failed."""
        self._closed = True
        self._behind.stop()
        if self._writer is not None:
            try:
                self._writer.close()
            except (OSError, pa.ArrowException):
                pass  # a full disk fails the footer; the file goes anyway
            self._writer = None
        if self._file is not None:
            self._file.discard()
        self.delivery.failed = self.delivery.sent - self.delivery.acknowledged
