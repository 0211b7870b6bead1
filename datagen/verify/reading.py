"""Outputs read back as streams of records: JSONL, CSV, Parquet, JSON files.

Each output is one stream, named after its file's stem (a folder's name) or
`NAME=PATH`. A record is a dict, or a `Malformed` where a line is not a JSON
object (it keeps its position: `index` in a faults manifest is the line
number). Tables are read by `tables.py`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson

from datagen.errors import ConfigError
from datagen.verify.values import MISSING, epoch, field_value

__all__ = ["Malformed", "Stream", "Record", "read_file"]

T = TypeVar("T")

_LINES = (".jsonl", ".ndjson")
#: A JSON text or number, whole, as a malformed line may still hold one.
_VALUE = r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[,}])'


@dataclass(frozen=True)
class Malformed:
    """A line that is not a JSON object, as read (undecodable bytes replaced)."""

    text: str
    reason: str

    def recover(self, name: str) -> Any:
        """What can still be read of top-level field name: the whole line
        parsed once its undecodable bytes are dropped, else the field's
        text or number where the line still holds it; MISSING otherwise."""
        try:
            whole = orjson.loads(self.text.replace("\ufffd", ""))
        except orjson.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):
            return whole.get(name, MISSING)
        match = re.search(rf'"{re.escape(name)}":\s*({_VALUE})', self.text)
        if match is None:
            return MISSING
        try:
            return orjson.loads(match.group(1))
        except orjson.JSONDecodeError:
            return MISSING


Record = dict[str, Any] | Malformed


@dataclass
class Stream:
    """One output read back: its records in output order."""

    name: str
    source: str  # the file, or the table's redacted URL
    records: list[Record]
    #: A database table: rows have no output order, and are states, not events.
    table: bool = False
    #: The SQL sink's key columns when a table was read with &key=.
    key_columns: tuple[str, ...] = field(default_factory=tuple)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.records)

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """make()'s value, worked out once per key for this stream."""
        if key not in self._memo:
            self._memo[key] = make()
        found: T = self._memo[key]
        return found

    def times(self, name: str) -> list[float | None]:
        """Each record's time in field name as epoch seconds (None where it
        has none), read once."""
        return self.remember(
            ("times", name),
            lambda: [
                epoch(field_value(record, name)) if isinstance(record, dict) else None
                for record in self.records
            ],
        )

    def dicts(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(index, record) of every record that is a JSON object."""
        for index, record in enumerate(self.records):
            if isinstance(record, dict):
                yield index, record


def read_file(path: Path, name: str | None = None) -> Stream:
    """The stream a file (or a folder of .json files) holds; its format by
    suffix. ConfigError naming the file when it cannot be read."""
    if path.is_dir():
        return Stream(name or path.name, str(path), _json_folder(path))
    if not path.is_file():
        raise ConfigError(f"verify: no such file: {path}")
    suffix = path.suffix.lower()
    name = name or path.stem
    if suffix in _LINES:
        return Stream(name, str(path), _json_lines(_read_bytes(path)))
    if suffix == ".json":
        return Stream(name, str(path), _json_documents(path))
    if suffix == ".csv":
        return Stream(name, str(path), _csv(path))
    if suffix == ".parquet":
        return Stream(name, str(path), _parquet(path))
    raise ConfigError(
        f"verify: {path}: unknown format '{suffix or path.name}' "
        "(.jsonl, .ndjson, .json, .csv, .parquet, a folder of .json files, "
        "or a postgresql://, mysql://, mariadb:// or sqlite:// table)"
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"verify: cannot read {path}: {exc.strerror}") from None


def _json_lines(data: bytes) -> list[Record]:
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line
    return [_line(line) for line in lines]


def _line(line: bytes) -> Record:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Malformed(line.decode("utf-8", "replace"), str(exc).split(":")[0])
    if not isinstance(value, dict):
        return Malformed(line.decode("utf-8", "replace"), "not a JSON object")
    return value


def _json_documents(path: Path) -> list[Record]:
    """Documents one after another, or in an array (the json format); a file
    that stops being JSON ends as one Malformed record."""
    text = _read_bytes(path).decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    records: list[Record] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return records
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            records.append(Malformed(text[position:], exc.msg))
            return records
        for item in value if isinstance(value, list) else [value]:
            records.append(
                item
                if isinstance(item, dict)
                else Malformed(str(item), "not an object")
            )


def _json_folder(folder: Path) -> list[Record]:
    """One document per .json file, in name order."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise ConfigError(f"verify: {folder}: no .json files in the folder")
    records: list[Record] = []
    for file in files:
        found = _json_documents(file)
        records.append(found[0] if len(found) == 1 else Malformed(str(file), "empty"))
    return records


def _csv(path: Path) -> list[Record]:
    """Rows as documents: dotted columns nested again, cells typed back
    (empty: null; true/false; numbers; JSON lists and objects)."""
    text = _read_bytes(path).decode("utf-8", "replace")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ConfigError(f"verify: {path}: not CSV ({exc})") from None
    if not rows:
        return []
    columns = rows[0]
    records: list[Record] = []
    for row in rows[1:]:
        if len(row) != len(columns):
            records.append(Malformed(",".join(row), "wrong number of cells"))
            continue
        document: dict[str, Any] = {}
        for column, cell in zip(columns, row):
            *parents, last = column.split(".")
            target = document
            for parent in parents:
                target = target.setdefault(parent, {})
            target[last] = _cell(cell)
        records.append(document)
    return records


def _cell(cell: str) -> Any:
    if cell == "":
        return None
    if cell[0] in "-0123456789[{tf":
        try:
            return orjson.loads(cell)
        except orjson.JSONDecodeError:
            pass
    return cell


def _parquet(path: Path) -> list[Record]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise ConfigError(
            "verify: reading Parquet needs pyarrow (pip install pyarrow)"
        ) from None
    try:
        rows: list[Record] = parquet.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow's errors: ArrowInvalid, OSError, ...
        raise ConfigError(f"verify: {path}: not a Parquet file ({exc})") from None
    return rows
