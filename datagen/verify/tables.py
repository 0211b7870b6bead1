"""A table read back as a stream: the SQL sink's URL (`?table=NAME&key=..`),
read only. PostgreSQL, MariaDB/MySQL and SQLite, as the sink writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datagen.errors import ConfigError, first_line
from datagen.redaction import redact, scrub
from datagen.verify.reading import Record, Stream

__all__ = ["SCHEMES", "is_table_url", "read_table"]

#: The URL schemes of the SQL sink (a "+driver" may follow).
SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")


def is_table_url(spec: str) -> bool:
    scheme, separator, _ = spec.partition("://")
    return bool(separator) and scheme.split("+")[0] in SCHEMES


def read_table(url: str, name: str | None = None) -> Stream:
    """Every row of the URL's table, ordered by its key columns (`&key=`)
    when given; the stream is named after the table unless name is given.
    ConfigError for a bad URL, a database that cannot be reached, a table
    that does not exist or a key column it lacks."""
    import sqlalchemy as sa

    from datagen.sinks.sql import split_url

    database, options = split_url(url)
    where = f"verify: {redact(url)}"
    schema, _, table_name = options.table.rpartition(".")
    connect_args: dict[str, Any] = {}
    if database.get_backend_name() == "sqlite":
        file = database.database
        if file and file != ":memory:" and not Path(file).is_file():
            # Connecting would make an empty database: read only, say so.
            raise ConfigError(f"{where}: no such database file: {file}")
    else:
        connect_args["connect_timeout"] = options.connect_timeout
    try:
        engine = sa.create_engine(database, connect_args=connect_args)
    except (sa.exc.NoSuchModuleError, ImportError, sa.exc.ArgumentError) as exc:
        raise ConfigError(f"{where}: {first_line(exc)}") from None
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(table_name, schema=schema or None):
                raise ConfigError(f"{where}: no table '{options.table}'")
            table = sa.Table(
                table_name, sa.MetaData(), schema=schema or None, autoload_with=engine
            )
            unknown = [k for k in options.key_columns if k not in table.c]
            if unknown:
                raise ConfigError(
                    f"{where}: key column '{unknown[0]}': "
                    f"no such column in '{options.table}'"
                )
            query = sa.select(table)
            if options.key_columns:
                query = query.order_by(*(table.c[k] for k in options.key_columns))
            # Column names may be str subclasses (quoted_name): plain text keys.
            names = [str(column.name) for column in table.columns]
            rows: list[Record] = [
                dict(zip(names, row)) for row in connection.execute(query)
            ]
    except sa.exc.SQLAlchemyError as exc:
        cause = scrub(first_line(getattr(exc, "orig", None) or exc), database.password)
        raise ConfigError(f"{where}: cannot read the table: {cause}") from None
    finally:
        engine.dispose()
    return Stream(
        name or table_name,
        redact(url),
        rows,
        table=True,
        key_columns=options.key_columns,
    )
