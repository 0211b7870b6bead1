"""Ground truth: the state a keyed stream's events leave behind, one line per live key.

A pipeline that materialises a change stream (a table upserted and deleted by
key, a compacted Kafka topic) should end holding exactly these records: for
each key, the record its last change set (an envelope's `after` image, a flat
event less `op`, a plain record as it is), none for a key whose last change is
a delete (see datagen/sinks/changes.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from datagen.sinks.changes import DELETE_OP, change_of
from datagen.encoders import dumps_line
from datagen.errors import ConfigError
from datagen.files.atomic import write_atomic


def _sort_key(value: Any) -> tuple[int, Any]:
    """Keys of one type sort by value; mixed types (rare) by type, then text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return (2, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    return (0, value) if not isinstance(value, str) else (1, value)


class GroundTruth:
    """Collects the last record of every live key of one stream; write() saves
    DIR/<stream>.jsonl, one JSON line per key, sorted by key. key_field is
    one field, or several separated by ',' (a composite key, as a sink's key=)."""

    def __init__(self, directory: Path, stream: str, key_field: str) -> None:
        self.fields = tuple(name.strip() for name in key_field.split(","))
        if not all(self.fields):
            raise ConfigError(
                f"ground truth of '{stream}': bad key field {key_field!r}"
            )
        self.path = Path(directory) / f"{stream}.jsonl"
        self.stream = stream
        self.key_field = key_field
        self._records: dict[Any, dict[str, Any]] = {}

    def _key(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """The record's key values, each one hashable and sortable."""
        try:
            return tuple(_sort_key(record[name]) for name in self.fields)
        except KeyError as exc:
            raise ConfigError(
                f"ground truth of '{self.stream}': an event has no key field "
                f"'{exc.args[0]}'"
            ) from None

    def observe(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Apply clean events (before any fault), in output order."""
        records = self._records
        for event in events:
            op, record = change_of(event)
            key = self._key(record)
            if op == DELETE_OP:
                records.pop(key, None)
            else:
                records[key] = dict(record)  # a later fault may change the event

    def records(self) -> list[dict[str, Any]]:
        """The live records, sorted by key."""
        return [self._records[key] for key in sorted(self._records)]

    def write(self) -> Path:
        """Write DIR/<stream>.jsonl atomically (the folder is made if missing);
        returns its path."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"--truth: cannot make folder '{self.path.parent}': "
                f"{exc.strerror or exc}"
            ) from None
        write_atomic(self.path, b"".join(map(dumps_line, self.records())))
        return self.path
