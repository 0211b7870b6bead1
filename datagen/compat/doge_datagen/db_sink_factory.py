"""doge-datagen's DbSinkFactory on datagen's SQL sink: rows from
row_mapper_function inserted in batches into a table of any SQLAlchemy
database (COPY on PostgreSQL; a table that does not exist yet is created from
the first rows, where the original refused it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL

from datagen.compat.doge_datagen.doge import EventSink, Transition
from datagen.errors import ConfigError, SinkError
from datagen.sinks.base import Delivery
from datagen.sinks.sql import SqlSink

__all__ = ["DbSink", "DbSinkFactory"]


class DbSink(EventSink):
    """One table's sink: collect() adds row_mapper_function's row to the batch."""

    def __init__(
        self,
        sink: SqlSink,
        table_name: str,
        row_mapper_function: Callable[[int, Any, Transition], Mapping[str, Any]],
    ) -> None:
        self.sink = sink
        self.table_name = table_name
        self.row_mapper_function = row_mapper_function

    def collect(self, timestamp: int, subject: Any, transition: Transition) -> None:
        row = self.row_mapper_function(timestamp, subject, transition)
        if not isinstance(row, Mapping):
            raise ConfigError(
                f"DbSink '{self.table_name}': row_mapper_function returned a "
                f"{type(row).__name__}, not a dict of column values"
            )
        self.sink.send(dict(row))

    def close(self) -> None:
        """Insert what is left; SinkError if any row was not written."""
        delivery: Delivery = self.sink.close()
        if not delivery.complete:
            raise SinkError(delivery.summary())


class DbSinkFactory:
    """DbSinkFactory(db_url): db_url as SQLAlchemy takes it
    ('postgresql://user:password@host:5432/db', 'sqlite:///events.db')."""

    def __init__(self, db_url: str | URL) -> None:
        try:
            self.url: URL = make_url(db_url)
        except (sa.exc.ArgumentError, TypeError, ValueError):
            raise ConfigError(
                f"DbSinkFactory: {str(db_url)!r} is not a database URL "
                "(postgresql://user:password@host:5432/db, sqlite:///file.db)"
            ) from None

    def create(
        self,
        table_name: str,
        row_mapper_function: Callable[[int, Any, Transition], Mapping[str, Any]],
        batch_size: int = 1000,
    ) -> DbSink:
        """A sink inserting into table_name, batch_size rows a transaction;
        connects now, so an unreachable database fails here in one line."""
        if not callable(row_mapper_function):
            raise ConfigError(
                f"DbSink '{table_name}': row_mapper_function must be callable, "
                f"not {row_mapper_function!r}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise ConfigError(
                f"DbSink '{table_name}': batch_size {batch_size!r} is not a number"
            )
        url = self.url.update_query_dict(
            {"table": str(table_name), "batch": str(batch_size)}
        )
        sink = SqlSink.from_url(url.render_as_string(hide_password=False))
        return DbSink(sink, table_name, row_mapper_function)
