"""Helpers for the SQL sink tests: one unique table per test, read back, dropped."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from datagen.sinks.sql import SqlSink, split_url


@dataclass
class Database:
    """A real database and a table name of this test's own."""

    kind: str  # postgresql, mariadb, sqlite
    base_url: str
    table: str

    def url(self, **options: Any) -> str:
        query = "&".join(
            f"{k}={v}" for k, v in {"table": self.table, **options}.items()
        )
        return f"{self.base_url}?{query}"

    def sink(self, **options: Any) -> SqlSink:
        return SqlSink(*split_url(self.url(**options)))

    def engine(self) -> sa.Engine:
        return sa.create_engine(split_url(self.url())[0])

    def rows(self) -> list[dict[str, Any]]:
        """Every row of the table, as {column: value} (JSON columns may be text)."""
        engine = self.engine()
        try:
            with engine.connect() as connection:
                result = connection.exec_driver_sql(f"SELECT * FROM {self.table}")
                return [dict(row) for row in result.mappings()]
        finally:
            engine.dispose()

    def columns(self) -> list[str]:
        """The table's column names, as the database reports them."""
        engine = self.engine()
        try:
            with engine.connect() as connection:
                query = f"SELECT * FROM {self.table} WHERE 1 = 0"
                return list(connection.exec_driver_sql(query).keys())
        finally:
            engine.dispose()

    def types(self) -> dict[str, str]:
        """Column name -> its type as SQLAlchemy reflects it."""
        engine = self.engine()
        try:
            return {
                column["name"]: str(column["type"])
                for column in sa.inspect(engine).get_columns(self.table)
            }
        finally:
            engine.dispose()

    def execute(self, statement: str) -> None:
        engine = self.engine()
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def drop(self) -> None:
        engine = self.engine()
        try:
            with engine.begin() as connection:
                sa.Table(self.table, sa.MetaData()).drop(connection, checkfirst=True)
        finally:
            engine.dispose()


def base_url(kind: str, address: str | None, tmp_path: Path) -> str:
    if kind == "postgresql":
        return f"postgresql+psycopg://postgres@{address}/test"
    if kind == "mariadb":
        return f"mysql+pymysql://root@{address}/test"
    return f"sqlite:///{tmp_path / 'test.db'}"


@contextmanager
def fresh_table(kind: str, address: str | None, tmp_path: Path) -> Iterator[Database]:
    """A Database with a table name no other test uses; the table is dropped after."""
    database = Database(
        kind, base_url(kind, address, tmp_path), f"t_{secrets.token_hex(5)}"
    )
    try:
        yield database
    finally:
        database.drop()


def table_for(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> AbstractContextManager[Database]:
    """fresh_table() on the test server of kind (its `<kind>_address`
    fixture), or a SQLite file in tmp_path."""
    address = request.getfixturevalue(f"{kind}_address") if kind != "sqlite" else None
    return fresh_table(kind, address, tmp_path)


def as_json(value: Any) -> Any:
    """A JSON column's value as Python (MariaDB and SQLite hand back text)."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value
