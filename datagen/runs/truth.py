"""Ground truth: the state a keyed stream's events leave behind, one line per live key.

A pipeline that materialises a change stream (a table upserted and deleted by
key, a compacted Kafka topic) should end holding exactly these records. Events
are read as they are written:

- a change event (`op` of `c`, `r`, `u` or `d` beside the key field): `c`,
  `r` and `u` set the key's record to the event less `op`; `d` removes the key;
- a Debezium-like envelope (`op` with `before`/`after`, the key inside them):
  the `after` image, or removal for `d`;
- a plain record (no `op`): a create or overwrite of its key, kept as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from datagen.encoders import dumps_line
from datagen.errors import ConfigError
from datagen.files.atomic import write_atomic

#: The `op` values that write a record, and the one that removes it.
UPSERT_OPS = frozenset(("c", "r", "u"))
DELETE_OP = "d"


def is_envelope(event: Mapping[str, Any]) -> bool:
    """True for a Debezium-like envelope: `op` with a `before` or `after` image."""
    return "op" in event and ("after" in event or "before" in event)


def change_of(event: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """The event's op and the record it carries: for an envelope the `after`
    image (the `before` one for a delete), for a flat change event the event
    less `op`, for a plain record ("c", the record). ConfigError for an `op`
    that is none of c, r, u, d."""
    if "op" not in event:
        return "c", event
    op = event["op"]
    if op not in UPSERT_OPS and op != DELETE_OP:
        raise ConfigError(f"change event: op must be c, r, u or d, not {op!r}")
    if is_envelope(event):
        image = event.get("before" if op == DELETE_OP else "after")
        if not isinstance(image, Mapping):
            side = "before" if op == DELETE_OP else "after"
            raise ConfigError(
                f"change event: op {op!r} needs a '{side}' image (an object)"
            )
        return op, image
    return op, {name: value for name, value in event.items() if name != "op"}


def _sort_key(value: Any) -> tuple[int, Any]:
    """Keys of one type sort by value; mixed types (rare) by type, then text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return (2, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    return (0, value) if not isinstance(value, str) else (1, value)


class GroundTruth:
    """Collects the last record of every live key of one stream; write() saves
    DIR/<stream>.jsonl, one JSON line per key, sorted by key."""

    def __init__(self, directory: Path, stream: str, key_field: str) -> None:
        if not key_field:
            raise ConfigError(f"ground truth of '{stream}' needs a key field")
        self.path = Path(directory) / f"{stream}.jsonl"
        self.stream = stream
        self.key_field = key_field
        self._records: dict[Any, dict[str, Any]] = {}

    def _key(self, record: Mapping[str, Any]) -> Any:
        try:
            key = record[self.key_field]
        except KeyError:
            raise ConfigError(
                f"ground truth of '{self.stream}': an event has no key field "
                f"'{self.key_field}'"
            ) from None
        if isinstance(key, (dict, list)):
            return orjson.dumps(key, option=orjson.OPT_SORT_KEYS)
        return key

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
        return [
            self._records[key]
            for key in sorted(
                self._records,
                key=lambda key: _sort_key(self._records[key][self.key_field]),
            )
        ]

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
