"""A block of documents as a Batch: JSON lines and CSV made from its
columns a block at a time, the other forms from those."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa

from datagen.encoders import CsvEncoder, Encoder, JsonLinesEncoder
from datagen.engine.batches import Batch
from datagen.engine.columns.block import ColumnBlock
from datagen.engine.columns.csv_rows import csv_columns, csv_rows
from datagen.engine.columns.json_lines import json_lines
from datagen.engine.columns.tables import arrow_table


class ColumnBatch(Batch):
    """The documents of `block`, ending at simulated time `last`.

    Every form comes from the columns (no `broken` records: a fault that
    breaks some makes a plain Batch of the lines or events it changed).
    """

    __slots__ = ("block", "_table")

    def __init__(self, block: ColumnBlock, last: float = 0.0) -> None:
        super().__init__(None, None, last, count=block.count)
        self.block = block
        self._table: pa.Table | None = None

    @property
    def has_lines(self) -> bool:
        return True

    def lines(self) -> list[bytes]:
        if self._lines is None:
            # orjson escapes every \n and \r: one line per document
            self._lines = self._json_lines().splitlines(True)
        return self._lines

    def events(self) -> list[dict[str, Any]]:
        """The documents as dicts, decoded from the JSON lines in one call."""
        if self._events is None:
            data = self._json_lines()
            self._events = orjson.loads(b"[" + data.replace(b"\n", b",")[:-1] + b"]")
        return self._events

    def encoded(self, encoder: Encoder) -> bytes:
        """JSON lines and CSV from the columns (a CsvEncoder without columns
        gets the first document's, as it would take them); others from
        events()."""
        data = self._encoded.get(encoder.name)
        if data is not None:
            return data
        if type(encoder) is JsonLinesEncoder:
            data = json_lines(self.block)
        elif type(encoder) is CsvEncoder and self.block.count:
            if encoder.columns is None:
                encoder.columns = csv_columns(self.block)
            data = csv_rows(self.block, encoder.columns)
        else:
            return super().encoded(encoder)
        self._encoded[encoder.name] = data
        return data

    def slice(self, start: int, stop: int) -> Batch:
        """Documents start .. stop-1: this batch when that is all of them,
        else a Batch of their JSON lines."""
        if start == 0 and stop >= len(self):
            return self
        return Batch(None, self.lines()[start:stop], self.last)

    def table(self) -> pa.Table:
        """The block as an Arrow table (see arrow_table)."""
        if self._table is None:
            self._table = arrow_table(self.block)
        return self._table

    def _json_lines(self) -> bytes:
        return self.encoded(JsonLinesEncoder())
