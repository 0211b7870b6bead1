"""Column kinds for the SQL sink: inferred from Python values, mapped to SQL types,
and the coercion of a value into the kind of its column."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from datagen.errors import SinkError

#: Column kinds, from narrowest to widest where one can become the other.
TEXT, BIGINT, DOUBLE, BOOLEAN, JSON = "text", "bigint", "double", "boolean", "json"


_KINDS_OF_TYPES: dict[type, str | None] = {
    type(None): None,
    bool: BOOLEAN,
    int: BIGINT,
    float: DOUBLE,
    str: TEXT,
}


def kind_of_python_type(value_type: type) -> str | None:
    """The column kind for values of this Python type (JSON for the rest)."""
    if value_type in _KINDS_OF_TYPES:
        return _KINDS_OF_TYPES[value_type]
    for known in (bool, int, float, str):  # subclasses, e.g. enums
        if issubclass(value_type, known):
            return _KINDS_OF_TYPES[known]
    return JSON


def merge_kinds(first: str | None, second: str | None) -> str | None:
    """One kind that holds values of both (int and float: double; else text/json)."""
    if first is None or first == second:
        return second if first is None else first
    if second is None:
        return first
    if {first, second} == {BIGINT, DOUBLE}:
        return DOUBLE
    return JSON if JSON in (first, second) else TEXT


def sql_type(
    kind: str, is_key: bool = False, key_length: int = 255
) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type of a kind; JSON is JSONB on PostgreSQL. A text key
    column is VARCHAR(key_length) on MariaDB/MySQL."""
    if kind == BIGINT:
        return sa.BigInteger()
    if kind == DOUBLE:
        return sa.Double()
    if kind == BOOLEAN:
        return sa.Boolean()
    if kind == JSON:
        return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    if is_key:  # MariaDB/MySQL cannot index TEXT without a length
        return sa.Text().with_variant(sa.String(key_length), "mysql", "mariadb")
    return sa.Text()


def kind_of_type(column_type: sa.types.TypeEngine[Any]) -> str:
    """The kind of a reflected column (MySQL booleans reflect as integers)."""
    if isinstance(column_type, sa.Boolean):
        return BOOLEAN
    if isinstance(column_type, sa.Integer):
        return BIGINT
    if isinstance(column_type, (sa.Float, sa.Numeric)):
        return DOUBLE
    if isinstance(column_type, sa.JSON):
        return JSON
    return TEXT


#: The Python type each kind takes as it is (JSON takes anything: no entry).
NATIVE: dict[str, type] = {TEXT: str, BIGINT: int, DOUBLE: float, BOOLEAN: bool}


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def coerce(value: Any, kind: str, column: str) -> Any:
    """value as the column's kind wants it; SinkError when it cannot be."""
    if value is None or kind == JSON:
        return value
    if kind == TEXT:
        return value if isinstance(value, str) else _json_text(value)
    if kind == DOUBLE and isinstance(value, (int, float)):
        return float(value)
    if kind == BIGINT and isinstance(value, int):
        return int(value)
    if kind == BOOLEAN and isinstance(value, bool):
        return value
    raise SinkError(f"column '{column}' holds {kind} values, not {value!r}")
