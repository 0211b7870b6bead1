"""Reading values out of records the same way in every check: dotted fields
(or a table's flattened column), times as epoch seconds, keys as hashable."""

from __future__ import annotations

from typing import Any

import orjson

from datagen.errors import ConfigError
from datagen.sinks.changes import change_of
from datagen.timefmt import epoch_seconds

__all__ = ["MISSING", "field_value", "epoch", "hashable", "key_of"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: A field the record does not have (None is a null).
MISSING: Any = _Missing()


def field_value(record: dict[str, Any], path: str) -> Any:
    """record's value at the dotted path; a table's flattened column
    ('address.city' -> 'address_city') when it has no such object; MISSING."""
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            flat = path.replace(".", "_")
            return record.get(flat, MISSING) if flat != path else MISSING
        value = value[part]
    return value


def epoch(value: Any) -> float | None:
    """A time as epoch seconds, as faults and the run record read it (see
    datagen.timefmt.epoch_seconds: epoch numbers above 1e11 are
    milliseconds)."""
    return epoch_seconds(value)


def hashable(value: Any) -> Any:
    """value usable as a dict key: lists and objects as canonical JSON bytes."""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return value


def key_of(event: dict[str, Any], key_field: str) -> Any:
    """The key of an event, inside a change envelope's image too; MISSING."""
    try:
        _, record = change_of(event)
    except ConfigError:
        record = event
    return field_value(dict(record), key_field)
