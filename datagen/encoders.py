"""Encoders turn documents into bytes: pretty JSON, JSON lines, CSV; a record a
fault broke (MalformedRecord) in each."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import orjson

from datagen.errors import ConfigError
from datagen.registry import Registered, Registry

ENCODERS: Registry[type[Encoder]] = Registry("format", "datagen.encoders")


def dumps_line(document: Any) -> bytes:
    """One document as a compact JSON line (keys in the order given)."""
    return orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE)


def dumps_pretty(document: Any) -> bytes:
    """One document as indented JSON, the one-file-per-document format."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


class MalformedRecord(dict[str, Any]):
    """A record a `malformed` fault broke (see datagen.faults). As a dict it
    is the record cut short, which formats and sinks that take records get;
    `line` is the broken JSON line (with its newline) that JSON lines get,
    and CsvEncoder writes a row cut short."""

    __slots__ = ("line",)

    def __init__(self, fields: Mapping[str, Any], line: bytes) -> None:
        super().__init__(fields)
        self.line = line


def json_message(event: dict[str, Any]) -> bytes:
    """An event as one broker message's body: its compact JSON without a
    newline (every broker sink sends these bytes, so consumers of each parse
    the same); a record a `malformed` fault broke as its broken line, so the
    message is not valid JSON, as in a file."""
    if type(event) is MalformedRecord:
        return event.line.rstrip(b"\n")
    return orjson.dumps(event)


class Encoder(Registered, abstract=True):
    """Bytes for a batch of documents; a subclass registers itself by its name."""

    registry = ENCODERS
    name: ClassVar[str]
    extension: ClassVar[str]

    def header(self) -> bytes:
        """What opens a file of this format."""
        return b""

    def encode_many(self, documents: Sequence[dict[str, Any]]) -> bytes:
        raise NotImplementedError


class JsonLinesEncoder(Encoder):
    name = "jsonl"
    extension = "jsonl"

    def encode_many(self, documents: Sequence[dict[str, Any]]) -> bytes:
        return b"".join(map(dumps_line, documents))


class JsonEncoder(Encoder):
    """Pretty JSON; one file per document where written to a folder."""

    name = "json"
    extension = "json"

    def encode_many(self, documents: Sequence[dict[str, Any]]) -> bytes:
        return b"".join(map(dumps_pretty, documents))


def flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys; lists stay whole (CSV writes them as JSON)."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def get_dotted(
    document: dict[str, Any], path: str | tuple[str, ...], default: Any = None
) -> Any:
    """document["a"]["b"] for path "a.b" (or ("a", "b")); default when a part
    is missing or not an object. A caller that must tell a missing field from
    a null one passes a sentinel of its own as default."""
    value: Any = document
    for part in path.split(".") if isinstance(path, str) else path:
        if not isinstance(value, dict) or part not in value:
            return default
        value = value[part]
    return value


def field_text(value: Any) -> str:
    """A field's value where text is wanted (a message id, a partition key,
    a topic level): a string as it is, anything else its compact JSON."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def field_bytes(value: Any) -> bytes:
    """field_text() as bytes (a Kafka key, a Redis stream field)."""
    return value.encode() if isinstance(value, str) else orjson.dumps(value)


def csv_cell(value: Any) -> Any:
    """A value as CSV text: lists and objects as JSON, null as an empty cell,
    booleans as JSON's `true`/`false` (Python's str() would write "True")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    if value is None:
        return ""
    return value


class CsvEncoder(Encoder):
    """CSV with dotted column names; the columns are those of the first document."""

    name = "csv"
    extension = "csv"

    def __init__(self, columns: Sequence[str] | None = None) -> None:
        self.columns = list(columns) if columns is not None else None

    @classmethod
    def for_sample(cls, sample: dict[str, Any]) -> CsvEncoder:
        """An encoder whose columns are the flattened keys of sample."""
        return cls(list(flatten(sample)))

    def header(self) -> bytes:
        return self._rows([self._require_columns()])

    def encode_many(self, documents: Sequence[dict[str, Any]]) -> bytes:
        if self.columns is None and documents:
            self.columns = list(flatten(documents[0]))
        columns = self._require_columns()
        known = set(columns)
        rows = []
        for document in documents:
            flat = flatten(document)
            if isinstance(document, MalformedRecord):
                rows.append(_cut_row(flat, columns))
                continue
            extra = flat.keys() - known
            if extra:
                extra = {
                    name for name in extra if not _null_object(flat, name, columns)
                }
            if extra:
                raise ConfigError(
                    f"csv: a document has field '{sorted(extra)[0]}' that the first "
                    "document did not have; use --format jsonl for varying fields"
                )
            rows.append([csv_cell(flat.get(column)) for column in columns])
        return self._rows(rows)

    def _require_columns(self) -> list[str]:
        if self.columns is None:
            raise ConfigError("csv: the columns are not known before the first row")
        return self.columns

    @staticmethod
    def _rows(rows: Iterable[Sequence[Any]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue().encode()


def _null_object(flat: dict[str, Any], name: str, columns: Sequence[str]) -> bool:
    """True when `name` is null where the columns hold an object's fields
    (name.x): its cells are left empty."""
    prefix = f"{name}."
    return flat[name] is None and any(column.startswith(prefix) for column in columns)


def _cut_row(flat: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """A broken CSV row: the leading half of the columns' cells only (a
    reader finds fewer cells than the header has; quotes stay balanced, so
    the rows after it are whole)."""
    kept = columns[: len(columns) // 2] if len(columns) > 1 else []
    return [csv_cell(flat.get(column)) for column in kept]


def get_encoder(name: str) -> type[Encoder]:
    """The encoder class for a format name; UnknownName lists the formats."""
    return ENCODERS.get(name)
