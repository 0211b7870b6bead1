"""The SQL sink's table: names checked, column types inferred, created and widened.

Column names come from event fields (dotted paths of nested objects joined by
'_'); they are data, so they are always quoted and never pasted into SQL.

It is long because reflecting, creating, adding and widening columns and the
per-row coercion fast path all read one shared picture of the table.
"""

from __future__ import annotations

import functools
import operator
from contextlib import nullcontext
import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from datagen.errors import ConfigError, SinkError
from datagen.sinks.sql_types import (
    BIGINT,
    DOUBLE,
    NATIVE,
    TEXT,
    coerce,
    kind_of_python_type,
    kind_of_type,
    merge_kinds,
    sql_type,
)

#: PostgreSQL cuts longer names silently (MySQL allows 64): refuse instead.
MAX_IDENTIFIER = 63
_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,62}"
_TABLE_NAME = re.compile(rf"^(?:{_NAME}\.)?{_NAME}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_table_name(name: str) -> str:
    """name (table or schema.table) if it is a plain identifier; else ConfigError."""
    if not _TABLE_NAME.match(name):
        raise ConfigError(
            f"table '{name}' is not a valid table name "
            "(letters, digits and '_', optionally schema.table, at most 63 each)"
        )
    return name


def check_column_name(name: str, field: str) -> str:
    """name if a database can hold it as a (quoted) column name; else SinkError."""
    problem = (
        "is empty"
        if not name
        else (
            f"is longer than {MAX_IDENTIFIER} characters"
            if len(name) > MAX_IDENTIFIER
            else (
                "holds a control character"
                if _CONTROL.search(name)
                else "ends with a space" if name != name.rstrip() else None
            )
        )
    )
    if problem is not None:
        raise SinkError(f"field '{field}' cannot be a column: its name {problem}")
    return name


def column_name(field: str) -> str:
    """The column of a (dotted) field: 'address.city' -> 'address_city'."""
    return field.replace(".", "_")


#: InnoDB's longest index, in characters of 4 bytes (utf8mb4): the text columns
#: of a composite key share it (one key column keeps VARCHAR(255), as before).
_MYSQL_KEY_CHARACTERS = 3072 // 4


def parse_key(value: str, where: str) -> tuple[str, ...]:
    """The key columns of `key=`: one field, or fields separated by ',' (spaces
    around each one dropped), each made a column name ('a.b' -> 'a_b').

    ConfigError naming `where` (the redacted URL) and the value for an empty
    piece, a column named twice, or a name no column can have.
    """
    pieces = value.split(",")
    if len(pieces) > 1:
        pieces = [piece.strip() for piece in pieces]
    columns: list[str] = []
    for piece in pieces:
        problem = None
        if not piece:
            problem = "an empty field name"
        elif column_name(piece) in columns:
            problem = f"column '{column_name(piece)}' named twice"
        else:
            try:
                check_column_name(column_name(piece), piece)
            except SinkError as exc:
                problem = str(exc)
        if problem is not None:
            raise ConfigError(
                f"{where}: bad key={value}: {problem} "
                "(key=FIELD, or key=FIELD,FIELD,... for a composite key)"
            )
        columns.append(column_name(piece))
    return tuple(columns)


def key_tuple(key: str | Sequence[str] | None) -> tuple[str, ...]:
    """key columns as a tuple: None -> (), 'id' -> ('id',), ('a', 'b') as is."""
    if key is None:
        return ()
    return (key,) if isinstance(key, str) else tuple(key)


def describe_key(columns: Sequence[str]) -> str:
    """'id' for one key column, (a, b) for several (for messages)."""
    return f"'{columns[0]}'" if len(columns) == 1 else f"({', '.join(columns)})"


def to_row(event: dict[str, Any], nested_as_json: bool) -> dict[str, Any]:
    """event as {column: value}: nested objects flattened, or kept whole as JSON."""
    if nested_as_json:
        return event
    if dict not in map(type, event.values()) and not _has_dots(tuple(event)):
        return event  # flat already: the row is the event
    row: dict[str, Any] = {}
    _flatten_into(row, event, "")
    return row


@functools.lru_cache(maxsize=256)
def _has_dots(fields: tuple[str, ...]) -> bool:
    return any("." in field for field in fields)


def _flatten_into(row: dict[str, Any], document: dict[str, Any], prefix: str) -> None:
    """encoders.flatten and column_name in one pass (the sink's hot loop)."""
    for field, value in document.items():
        if "." in field:
            field = field.replace(".", "_")
        if type(value) is dict and value:
            _flatten_into(row, value, f"{prefix}{field}_")
        else:
            row[prefix + field] = value


def _execute_ddl(connection: Connection, statement: str) -> None:
    """Run DDL whose quoted names may hold ':' (escaped: not a bind parameter)."""
    connection.execute(sa.text(statement.replace(":", "\\:")))


class TableSchema:
    """The target table as the sink knows it: its columns and their kinds.

    ensure() creates the table from the first rows, adds columns for new fields
    and widens bigint columns that meet a float; reflect() reads an existing one.
    The key is one column or several (a composite primary key), or none.
    """

    def __init__(
        self,
        engine: Engine,
        table: str,
        key: str | Sequence[str] | None,
        nested_as_json: bool = False,
    ) -> None:
        self.engine = engine
        self.nested_as_json = nested_as_json
        schema, _, name = table.rpartition(".")
        self.schema = schema or None
        self.name = name
        self.key_columns = key_tuple(key)
        self.kinds: dict[str, str] = {}
        self._plan: list[tuple[str, str, type | None]] = []
        self._getter: Callable[[dict[str, Any]], Sequence[Any]] = lambda row: ()
        self._signatures: dict[tuple[type, ...], bool] = {}
        self.table: sa.Table | None = None

    @property
    def exists(self) -> bool:
        return self.table is not None

    def reflect(self, connection: Connection) -> None:
        """Read the table's columns if it exists; checks the key is unique there."""
        inspector = sa.inspect(connection)
        if not inspector.has_table(self.name, schema=self.schema):
            return
        columns = inspector.get_columns(self.name, schema=self.schema)
        # SQLAlchemy's MySQL reflection leaves quote characters doubled in names.
        unquote = self.engine.dialect.name in ("mysql", "mariadb")
        self.kinds = {
            column["name"].replace("``", "`") if unquote else column["name"]: (
                kind_of_type(column["type"])
            )
            for column in columns
        }
        self._rebuild()
        keys = self.key_columns
        if keys and not self._key_is_unique(inspector):
            raise ConfigError(
                f"table '{self.name}' has no primary key or unique index on "
                f"{describe_key(keys)}, which the upsert needs (key={','.join(keys)})"
            )

    def _key_is_unique(self, inspector: sa.Inspector) -> bool:
        """True when a primary key, unique constraint or unique index covers
        exactly the key columns (in any order: ON CONFLICT matches them so)."""
        primary = inspector.get_pk_constraint(self.name, schema=self.schema)
        sets: list[list[str | None]] = [list(primary.get("constrained_columns") or [])]
        sets += [
            list(unique["column_names"])
            for unique in inspector.get_unique_constraints(
                self.name, schema=self.schema
            )
        ]
        sets += [
            list(index["column_names"])
            for index in inspector.get_indexes(self.name, schema=self.schema)
            if index.get("unique")
        ]
        wanted = sorted(self.key_columns)
        return any(sorted(map(str, columns)) == wanted for columns in sets)

    def ensure(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Create the table, add columns or widen types so rows fit.

        Only new columns and bigint columns are looked at value by value, so a
        batch whose fields the table knows costs one set union.
        """
        if not self.exists:
            if self._create(connection, self._kinds_of(rows, set().union(*rows))):
                return
        new = set().union(*rows).difference(self.kinds)
        if new:
            for column, kind in self._kinds_of(rows, new).items():
                self._add_column(connection, column, kind)
        for column, kind in list(self.kinds.items()):
            if kind == BIGINT and any(type(row.get(column)) is float for row in rows):
                self._widen(connection, column)

    @staticmethod
    def _kinds_of(rows: Sequence[dict[str, Any]], columns: set[str]) -> dict[str, str]:
        """The kind of each of columns over rows (text where every value is null),
        in the order the columns first appear."""
        seen: dict[str, set[type]] = {}
        for row in rows:
            for column, value in row.items():
                if column in columns:
                    types = seen.get(column)
                    if types is None:
                        types = seen[column] = set()
                    types.add(type(value))
        kinds = {}
        for column, types in seen.items():
            kind = None
            for value_type in types:
                kind = merge_kinds(kind, kind_of_python_type(value_type))
            kinds[column] = kind or TEXT
        return kinds

    def _create(self, connection: Connection, kinds: dict[str, str]) -> bool:
        """Create the table for these columns: True; False when another writer
        (a cluster's other worker) created it first, which is then reflected."""
        for key in self.key_columns:
            if key not in kinds:
                raise SinkError(f"the first events have no key field '{key}'")
        for column in kinds:
            check_column_name(column, column)
        self.kinds = dict(kinds)
        self._rebuild()
        assert self.table is not None
        # PostgreSQL aborts a transaction at a failed CREATE: a savepoint keeps
        # the rest; MySQL's DDL commits on its own and leaves none to roll to.
        guard = (
            connection.begin_nested()
            if self.engine.dialect.name == "postgresql"
            else nullcontext()
        )
        try:
            with guard:
                self.table.create(connection, checkfirst=True)
        except sa.exc.DBAPIError:
            # checkfirst looked, then another session's CREATE won the race
            self.table = None
            self.reflect(connection)
            if not self.exists:
                raise
            return False
        return True

    def _rebuild(self) -> None:
        self._plan = [
            (column, kind, NATIVE.get(kind)) for column, kind in self.kinds.items()
        ]
        columns = list(self.kinds)
        getter = operator.itemgetter(*columns) if columns else (lambda row: ())
        self._getter = getter if len(columns) != 1 else (lambda row: (getter(row),))
        self._signatures = {}
        keys = self.key_columns
        key_length = min(255, _MYSQL_KEY_CHARACTERS // max(1, len(keys)))
        table_columns: list[Any] = [
            sa.Column(
                name,
                sql_type(kind, is_key=name in keys, key_length=key_length),
                autoincrement=False,
            )
            for name, kind in self.kinds.items()
        ]
        if keys and all(key in self.kinds for key in keys):
            # In the key's order. Only a table the sink creates gets it as DDL:
            # for one it reflected, it just names the ON CONFLICT columns.
            table_columns.append(sa.PrimaryKeyConstraint(*keys))
        self.table = sa.Table(
            self.name, sa.MetaData(), *table_columns, schema=self.schema
        )

    def _add_column(self, connection: Connection, column: str, kind: str) -> None:
        check_column_name(column, column)
        dialect = self.engine.dialect
        type_sql = sql_type(kind).compile(dialect=dialect)
        _execute_ddl(
            connection,
            f"ALTER TABLE {self.quoted_table} "
            f"ADD COLUMN {self.quote(column)} {type_sql}",
        )
        self.kinds[column] = kind
        self._rebuild()

    def _widen(self, connection: Connection, column: str) -> None:
        dialect = self.engine.dialect.name
        quoted = self.quote(column)
        if dialect == "postgresql":
            change = f"ALTER COLUMN {quoted} TYPE double precision"
        elif dialect in ("mysql", "mariadb"):
            change = f"MODIFY {quoted} DOUBLE"
        else:  # SQLite stores a REAL in an INTEGER column as it is
            change = None
        if change is not None:
            _execute_ddl(connection, f"ALTER TABLE {self.quoted_table} {change}")
        self.kinds[column] = DOUBLE
        self._rebuild()

    def quote(self, name: str) -> str:
        """name quoted for this database, quote characters inside doubled.

        Unlike SQLAlchemy's own quoting, '%' is left alone: the result goes
        into text() (which escapes it) or straight to the driver's cursor.
        """
        preparer = self.engine.dialect.identifier_preparer
        escaped = name.replace(preparer.escape_quote, preparer.escape_to_quote)
        return f"{preparer.initial_quote}{escaped}{preparer.final_quote}"

    @property
    def quoted_table(self) -> str:
        assert self.table is not None
        return self.engine.dialect.identifier_preparer.format_table(self.table)

    def record(self, row: dict[str, Any]) -> Sequence[Any]:
        """row's values in column order, coerced where the type is not the kind's.

        The fast path: a row holding every column, with types already seen to
        need no change, is read by one itemgetter call.
        """
        try:
            values = self._getter(row)
        except KeyError:
            values = None
        if values is not None:
            signature = tuple(map(type, values))
            fits = self._signatures.get(signature)
            if fits is None:
                fits = self._signatures[signature] = self._fits(signature)
            if fits:
                return values
        get = row.get
        return [
            (
                value
                if value is None or type(value) is native
                else coerce(value, kind, column)
            )
            for column, kind, native in self._plan
            for value in (get(column),)
        ]

    def _fits(self, signature: tuple[type, ...]) -> bool:
        """True when values of these types go into the columns unchanged (an
        object, unless kept as JSON, is to be flattened: it does not fit)."""
        return len(self._signatures) < 256 and all(
            value_type is type(None)
            or value_type is native
            or (native is None and (value_type is not dict or self.nested_as_json))
            for value_type, (_, _, native) in zip(signature, self._plan)
        )

    def fast_records(self, events: Sequence[dict[str, Any]]) -> list[Any] | None:
        """Each event's record, when every event already is a row of this table:
        exactly its columns, values of types that fit, every key column set.
        Else None (the events then go through to_row, ensure and record).

        Most batches of a run are like this, and this is where the SQL sink
        spends its time: one itemgetter and one type check per event.
        """
        if not self.exists:
            return None
        getter, signatures, width = self._getter, self._signatures, len(self._plan)
        records = []
        for event in events:
            if len(event) != width:
                return None
            try:
                values = getter(event)
            except KeyError:
                return None
            signature = tuple(map(type, values))
            fits = signatures.get(signature)
            if fits is None:
                fits = signatures[signature] = self._fits(signature)
            if not fits:
                return None
            records.append(values)
        keys = self.key_columns
        if not keys:
            return records
        if any(self.kinds[key] == "json" for key in keys):
            return None
        columns = list(self.kinds)
        indices = [columns.index(key) for key in keys]
        if any(record[index] is None for record in records for index in indices):
            return None
        key_of = operator.itemgetter(*indices)  # a value for one key, else a tuple
        return list({key_of(record): record for record in records}.values())
