"""The SQL sink: events upserted into a table of any SQLAlchemy database.

`postgresql+psycopg://user@host/db?table=events&key=id` creates the table from
the first events, adds columns for new fields, and upserts on `key` in batched
transactions (COPY into a staging table on PostgreSQL); `key=group_id,id` upserts
on the pair (a composite primary key). A keyed sink given change events
(`op` c/r/u/d, flat or in a Debezium-like envelope; `cdc=auto|true|false`)
upserts on c/r/u and deletes on d, each batch's last change of a key winning.
A database that goes away is retried
with backoff until `retry_seconds`; what still fails is counted.

It is long because it holds the URL's options (and which the driver takes),
the retriable-error rules of each database and the upsert of each dialect;
table handling and COPY live in sql_schema.py and sql_copy.py.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.url import URL

from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact, scrub
from datagen.sinks.batching import BatchingSink
from datagen.sinks.changes import DELETE_OP, change_of, check_cdc, reads_changes
from datagen.sinks.options import option_names, parse_options
from datagen.sinks.retry import RetryPolicy
from datagen.sinks.spec import query_options, register_sink
from datagen.sinks.sql_copy import CopyPlan, copy_rows, plan_copy
from datagen.sinks.sql_schema import TableSchema, check_table_name, parse_key, to_row

#: Drivers used when a URL names none (SQLAlchemy's own defaults are not installed).
DEFAULT_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
PASSWORD_ENV = "DATAGEN_SQL_PASSWORD"


@dataclass(frozen=True)
class SqlOptions:
    """The sink's own query options; the rest of the URL goes to the driver.

    `key` is written as in the URL: one field, or fields separated by ','
    (`group_id,id`); `key_columns` is the tuple of their columns.
    """

    table: str
    key: str | None = None
    nested: str = "flatten"
    batch: int = 5000
    method: str = "auto"
    retry_seconds: float = 30.0
    connect_timeout: int = 5
    cdc: str = "auto"

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns the upsert is keyed on, in order; () appends rows."""
        return parse_key(self.key, "sql sink") if self.key else ()

    @classmethod
    def from_url(
        cls, url: str, driver_takes: Callable[[str], bool] | None
    ) -> SqlOptions:
        """Options from ?table=..&key=..; ConfigError naming a bad one, or a key
        neither the sink nor the driver takes (driver_takes None: any key)."""
        where = f"sql sink '{redact(url)}'"
        if not query_options(url).get("table"):
            raise ConfigError(f"{where} needs ?table=NAME (and usually &key=FIELD)")
        options = parse_options(
            url,
            cls,
            others=driver_takes or (lambda key: True),
            others_are=f"a connection option of {make_url(url).get_driver_name()}",
        )
        options = replace(
            options,
            table=check_table_name(options.table),
            key=",".join(parse_key(options.key, where)) if options.key else None,
        )
        if options.nested not in ("flatten", "json"):
            raise ConfigError(
                f"{where}: nested must be flatten or json, not '{options.nested}'"
            )
        if options.method not in ("auto", "copy", "insert"):
            raise ConfigError(
                f"{where}: method must be auto, copy or insert, not '{options.method}'"
            )
        check_cdc(where, options.cdc, options.key)
        if options.batch < 1 or options.retry_seconds < 0:
            raise ConfigError(
                f"{where}: batch must be at least 1 and retry_seconds >= 0"
            )
        return options


#: Connection options SQLAlchemy's SQLite driver takes from the URL (with
#: uri=true, any other key is a parameter of SQLite's own URI).
_SQLITE_OPTIONS = frozenset(
    ("uri", "timeout", "isolation_level", "detect_types", "check_same_thread")
    + ("cached_statements",)
)


def driver_options(url: URL) -> Callable[[str], bool] | None:
    """Which query keys the URL's driver takes as connection options; None when
    that cannot be known (a driver other than psycopg, PyMySQL or SQLite's)."""
    driver = url.get_driver_name()
    if driver == "psycopg":
        import psycopg

        names = {
            option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()
        }
        return names.__contains__
    if driver == "pymysql":
        import pymysql

        signature = inspect.signature(pymysql.connections.Connection.__init__)
        return set(signature.parameters).__contains__
    if driver == "pysqlite":
        if url.query.get("uri") in ("true", "1"):
            return lambda key: True
        return _SQLITE_OPTIONS.__contains__
    return None


def _check_driver_values(url: str, parsed: URL) -> None:
    """ConfigError for a connection option value the driver would fail on
    with an error of its own (PyMySQL: an unknown charset is an
    AttributeError deep in connect())."""
    charset = parsed.query.get("charset")
    if parsed.get_driver_name() == "pymysql" and isinstance(charset, str):
        import pymysql

        if pymysql.charset.charset_by_name(charset) is None:
            raise ConfigError(
                f"sql sink '{redact(url)}': charset '{charset}' is not a "
                "charset of MySQL/MariaDB (e.g. utf8mb4)"
            )


def split_url(url: str) -> tuple[URL, SqlOptions]:
    """The database URL (sink options removed, driver filled in) and the options."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError("sql sink URL cannot be parsed") from None
    parsed = parsed.set(
        drivername=DEFAULT_DRIVERS.get(parsed.drivername, parsed.drivername)
    )
    options = SqlOptions.from_url(url, driver_options(parsed))
    _check_driver_values(url, parsed)
    parsed = parsed.difference_update_query(option_names(SqlOptions))
    if parsed.username and parsed.password is None and os.environ.get(PASSWORD_ENV):
        parsed = parsed.set(password=os.environ[PASSWORD_ENV])
    return parsed, options


#: MySQL/MariaDB error codes that mean "connection trouble, try again": server
#: gone or unreachable, shutting down, connection killed, lock wait, deadlock.
_MYSQL_RETRIABLE = {1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 2055, 4031}


def _is_retriable(error: Exception) -> bool:
    """True for connection trouble, which may pass; False for errors in the data."""
    if getattr(error, "connection_invalidated", False):
        return True
    cause = getattr(error, "orig", None) or error
    module = type(cause).__module__
    if module.startswith("pymysql"):
        return bool(cause.args) and cause.args[0] in _MYSQL_RETRIABLE
    if module.startswith("sqlite3"):
        return "locked" in str(cause) or "busy" in str(cause)
    names = {base.__name__ for base in type(cause).__mro__}
    return bool(names & {"OperationalError", "InterfaceError"})


def _translate(error: Exception, secret: str | None) -> SinkError:
    """A one-line SinkError from a database error; connection trouble is retriable."""
    cause = getattr(error, "orig", None) or error
    return SinkError(scrub(first_line(cause), secret), retriable=_is_retriable(error))


@register_sink
class SqlSink(BatchingSink):
    """Upserts events into one table; see the module docstring for the options."""

    name = "sql"
    schemes = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")
    Options = SqlOptions
    background = True  # the database writes one batch while the next is made

    def __init__(self, url: URL, options: SqlOptions) -> None:
        self.url = url
        self.options = options
        #: The upsert's key columns, in order: (), one, or several (composite).
        self.key_columns: tuple[str, ...] = options.key_columns
        policy = RetryPolicy(deadline=options.retry_seconds, owner=self.describe())
        super().__init__(options.batch, policy)
        self.engine = self._create_engine()
        self.schema = self._new_schema()
        self._stale = False
        self._statement: tuple[tuple[str, ...], Any] | None = None
        self._copy_plan: tuple[tuple[tuple[str, str], ...], CopyPlan] | None = None
        #: Whether the stream is applied as changes: decided by its first event.
        self.changes: bool | None = None
        self._start()

    @classmethod
    def from_url(cls, url: str) -> SqlSink:
        return cls(*split_url(url))

    def describe(self) -> str:
        url = self.url.render_as_string(hide_password=True)
        return f"{url} table {self.options.table}"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def uses_copy(self) -> bool:
        """COPY is PostgreSQL's bulk path (psycopg 3); 'auto' takes it there."""
        return self.dialect == "postgresql" and self.options.method != "insert"

    def _create_engine(self) -> sa.Engine:
        backend = self.url.get_backend_name()
        connect_args: dict[str, Any] = {}
        if backend in ("postgresql", "mysql", "mariadb"):
            connect_args["connect_timeout"] = self.options.connect_timeout
        bounded = _bounded_handshake(self.url, self.options.connect_timeout)
        connect_args.update(bounded)
        try:
            engine = sa.create_engine(
                self.url,
                pool_pre_ping=True,
                connect_args=connect_args,
                json_serializer=lambda value: orjson.dumps(value).decode(),
            )
            if bounded:
                sa.event.listen(engine, "connect", _unbounded_queries(bounded))
            return engine
        except (sa.exc.NoSuchModuleError, ImportError) as exc:
            raise ConfigError(
                f"sql sink '{self.describe()}': driver not available ({exc})"
            ) from None
        except sa.exc.ArgumentError as exc:
            raise ConfigError(f"sql sink '{self.describe()}': {exc}") from None

    def _start(self) -> None:
        """Connect once and read the table: an unreachable database fails here."""
        if self.options.method == "copy" and self.dialect != "postgresql":
            raise ConfigError("method=copy needs PostgreSQL")
        try:
            with self.engine.connect() as connection:
                self.schema.reflect(connection)
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            cause = _translate(exc, self.url.password)
            raise SinkError(f"{self.describe()}: cannot connect: {cause}") from exc
        except (TypeError, ValueError, AttributeError, LookupError) as exc:
            # The driver choked on a connection option before reaching the
            # server (its own error, not a database one): bad input.
            self.engine.dispose()
            raise ConfigError(
                f"{self.describe()}: the driver refused the connection options: "
                f"{type(exc).__name__}: {scrub(first_line(exc), self.url.password)}"
            ) from None

    def release(self) -> None:
        self.engine.dispose()

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        """One transaction: make the table fit, then insert or upsert the rows
        (and, for changes, delete the deleted keys)."""
        if self.changes is None and events:
            first = events[0]
            self.changes = reads_changes(
                self.options.cdc, bool(self.key_columns), first
            )
        deletes: list[dict[str, Any]] = []
        if self.changes:
            events, deletes = self._net_changes(events)
        try:
            with self.engine.begin() as connection:
                if self._stale:
                    self.schema = self._new_schema()
                    self.schema.reflect(connection)
                    self._stale = False
                if events:  # changes come as rows already, one per key
                    self._upsert(connection, events, as_rows=bool(self.changes))
                if deletes and self.schema.exists:
                    self._delete(connection, deletes)
        except (sa.exc.SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error) as exc:
            self._stale = True  # the table may not be what the schema thinks
            raise _translate(exc, self.url.password) from exc
        except SinkError:
            self._stale = True
            raise

    def _upsert(
        self, connection: Connection, events: list[dict[str, Any]], as_rows: bool
    ) -> None:
        """Insert or upsert the events (as_rows: made into rows, one per key,
        by _net_changes)."""
        records = self.schema.fast_records(events)
        if records is None:
            rows = events if as_rows else self._rows(events)
            self.schema.ensure(connection, rows)
            records = [self.schema.record(row) for row in rows]
        if self.uses_copy:
            self._copy(connection, records)
        else:
            columns = list(self.schema.kinds)
            values = [dict(zip(columns, record)) for record in records]
            connection.execute(self._insert_statement(), values)

    def _net_changes(
        self, events: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows to upsert and the rows whose keys to delete: each key's last
        change in the batch (a batch is one transaction, so what a key ends
        as is all that counts: an update then a delete of it is a delete)."""
        nested_as_json = self.options.nested == "json"
        last: dict[Any, tuple[bool, dict[str, Any]]] = {}
        for event in events:
            op, record = change_of(event, SinkError)
            row = to_row(record, nested_as_json)
            last[self._key(row)] = (op == DELETE_OP, row)
        upserts = [row for deleted, row in last.values() if not deleted]
        return upserts, [row for deleted, row in last.values() if deleted]

    def _delete(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """DELETE the rows' keys (a key the table does not hold is no error)."""
        table = self.schema.table
        assert table is not None
        columns = list(self.schema.kinds)
        places = [columns.index(key) for key in self.key_columns]
        names = [f"key_{number}" for number in range(len(places))]
        statement = sa.delete(table).where(
            *(
                table.c[key] == sa.bindparam(name)
                for key, name in zip(self.key_columns, names)
            )
        )
        values = []
        for row in rows:
            record = self.schema.record(row)
            values.append({name: record[place] for name, place in zip(names, places)})
        connection.execute(statement, values)

    def _new_schema(self) -> TableSchema:
        return TableSchema(
            self.engine,
            self.options.table,
            self.key_columns,
            nested_as_json=self.options.nested == "json",
        )

    def _rows(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Events as rows; with a key, the last event of each key (the values
        of all its columns together) wins."""
        nested_as_json = self.options.nested == "json"
        rows = [to_row(event, nested_as_json) for event in events]
        if not self.key_columns:
            return rows
        return list({self._key(row): row for row in rows}.values())

    def _key(self, row: dict[str, Any]) -> Any:
        """The row's key: its value (or a tuple of them); SinkError if missing."""
        values = []
        for key in self.key_columns:
            value = row.get(key)
            if value is None:
                raise SinkError(f"an event has no key field '{key}'")
            values.append(
                orjson.dumps(value) if isinstance(value, (dict, list)) else value
            )
        return values[0] if len(values) == 1 else tuple(values)

    def _insert_statement(self) -> Any:
        """INSERT, or the dialect's upsert, for the table's current columns."""
        columns = tuple(self.schema.kinds)
        if self._statement is not None and self._statement[0] == columns:
            return self._statement[1]
        table = self.schema.table
        assert table is not None
        keys = list(self.key_columns)
        updates = [column for column in columns if column not in keys]
        if not keys:
            statement: Any = sa.insert(table)
        elif self.dialect in ("postgresql", "sqlite"):
            module = postgresql if self.dialect == "postgresql" else sqlite
            statement = module.insert(table)
            statement = (
                statement.on_conflict_do_update(
                    index_elements=keys,
                    set_={column: statement.excluded[column] for column in updates},
                )
                if updates
                else statement.on_conflict_do_nothing(index_elements=keys)
            )
        elif self.dialect in ("mysql", "mariadb"):
            statement = mysql.insert(table)
            # VALUES(col) spelled out: SQLAlchemy's own form escapes '%' twice.
            statement = statement.on_duplicate_key_update(
                {
                    column: sa.literal_column(f"VALUES({self.schema.quote(column)})")
                    for column in updates or keys[:1]
                }
            )
        else:
            raise SinkError(f"upsert (key=) is not supported on {self.dialect}")
        self._statement = (columns, statement)
        return statement

    def _copy(self, connection: Connection, records: list[Any]) -> None:
        """COPY records (binary where the column types allow), upserting with a key."""
        version = tuple(self.schema.kinds.items())
        if self._copy_plan is None or self._copy_plan[0] != version:
            self._copy_plan = (version, plan_copy(connection, self.schema))
        copy_rows(
            connection, self.schema, self._copy_plan[1], records, self.key_columns
        )


def _bounded_handshake(url: URL, seconds: float) -> dict[str, float]:
    """PyMySQL reads a server's greeting with read_timeout, none by default:
    a server that accepts and never answers would hang the start for good.
    The timeouts the URL does not set are `seconds` while connecting (see
    _unbounded_queries for after)."""
    if url.get_driver_name() != "pymysql":
        return {}
    names = ("read_timeout", "write_timeout")
    return {name: seconds for name in names if name not in url.query}


def _unbounded_queries(bounded: dict[str, float]) -> Callable[..., None]:
    """Once connected, queries wait as long as they take again (a big batch
    is not a hang): the timeouts _bounded_handshake set are lifted."""

    def connected(dbapi_connection: Any, _record: Any) -> None:
        for name in bounded:
            if hasattr(dbapi_connection, f"_{name}"):
                setattr(dbapi_connection, f"_{name}", None)

    return connected
