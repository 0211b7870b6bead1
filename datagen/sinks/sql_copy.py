"""PostgreSQL's bulk path for the SQL sink: COPY into a staging table, then upsert.

Rows go in binary COPY format when every column has a type with a binary
form psycopg writes from the sink's Python values (text, integers, floats,
booleans, JSON), which costs about half of the text format per row; a table
with other types (a user's own, say with timestamps) gets the text format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from datagen.errors import SinkError
from datagen.sinks.sql_schema import TableSchema, key_tuple

STAGE = "datagen_stage"

#: PostgreSQL column type -> the type psycopg writes it as in binary COPY.
#: JSON goes as ready-made bytes ("bytea" writes them as they are): jsonb's
#: binary form is a version byte then the text, json's is the text.
_BINARY = {
    "text": "text",
    "character varying": "varchar",
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "double precision": "float8",
    "real": "float4",
    "boolean": "bool",
    "jsonb": "bytea",
    "json": "bytea",
}


@dataclass(frozen=True)
class CopyPlan:
    """How one version of the table's columns is copied."""

    columns: tuple[str, ...]
    binary: bool
    types: tuple[str, ...]
    #: index -> prefix of the encoded JSON (b"\x01" for binary jsonb, b"" else)
    json: dict[int, bytes]


def plan_copy(connection: Connection, schema: TableSchema) -> CopyPlan:
    """Read the table's column types; binary if each one has a binary writer."""
    columns = tuple(schema.kinds)
    raw = _driver_connection(connection)
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [schema.quoted_table],
        )
        database_types = dict(cursor.fetchall())
    names = [database_types.get(column, "?") for column in columns]
    binary = all(name in _BINARY for name in names)
    json = {
        index: b"\x01" if (binary and name == "jsonb") else b""
        for index, name in enumerate(names)
        if schema.kinds[columns[index]] == "json" or name in ("json", "jsonb")
    }
    types = tuple(_BINARY[name] for name in names) if binary else ()
    return CopyPlan(columns, binary, types, json)


def copy_rows(
    connection: Connection,
    schema: TableSchema,
    plan: CopyPlan,
    records: Sequence[Sequence[Any]],
    key: str | Sequence[str] | None,
) -> None:
    """COPY records (TableSchema.record's, in column order) in, through a staging
    table and INSERT .. ON CONFLICT when there is a key (one column or several)."""
    keys = key_tuple(key)
    quote = schema.quote
    names = ", ".join(quote(column) for column in plan.columns)
    target = schema.quoted_table
    raw = _driver_connection(connection)
    with raw.cursor() as cursor:
        into = target
        if keys:
            into = quote(STAGE)
            cursor.execute(
                f"CREATE TEMP TABLE {into} (LIKE {target} INCLUDING DEFAULTS) "
                "ON COMMIT DROP"
            )
        form = " (FORMAT BINARY)" if plan.binary else ""
        statement = f"COPY {into} ({names}) FROM STDIN{form}"
        with cursor.copy(statement, writer=_writer(cursor)) as copy:
            if plan.binary:
                copy.set_types(list(plan.types))
            _write_records(copy, plan, records)
        if keys:
            cursor.execute(_upsert_from_stage(plan.columns, keys, target, into, quote))


def _writer(cursor: Any) -> Any:
    """psycopg's queued writer: rows are sent by a thread of psycopg's own while
    the next ones are formatted (it matters with a database across a network)."""
    from psycopg.copy import QueuedLibpqWriter

    return QueuedLibpqWriter(cursor)


def _write_records(copy: Any, plan: CopyPlan, records: Sequence[Sequence[Any]]) -> None:
    write = copy.write_row
    json = plan.json
    if not json:
        for record in records:
            write(record)
        return
    as_text = not plan.binary
    for record in records:
        record = list(record)
        for index, prefix in json.items():
            value = record[index]
            if value is not None:
                encoded = prefix + orjson.dumps(value)
                record[index] = encoded.decode() if as_text else encoded
        write(record)


def _upsert_from_stage(
    columns: Sequence[str], keys: Sequence[str], target: str, stage: str, quote: Any
) -> str:
    names = ", ".join(quote(column) for column in columns)
    updates = [quote(column) for column in columns if column not in keys]
    action = (
        "DO UPDATE SET " + ", ".join(f"{name} = EXCLUDED.{name}" for name in updates)
        if updates
        else "DO NOTHING"
    )
    return (
        f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} "
        f"ON CONFLICT ({', '.join(quote(key) for key in keys)}) {action}"
    )


def _driver_connection(connection: Connection) -> Any:
    """psycopg's own connection under SQLAlchemy's (there while it is open)."""
    raw = connection.connection.driver_connection
    if raw is None:
        raise SinkError("the database connection is closed")
    return raw
