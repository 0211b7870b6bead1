"""The SQL sink's composite key (`key=group_id,id,page_id`): the real PostgreSQL
(COPY and INSERT paths), the real MariaDB, and SQLite in a file of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from datagen.errors import ConfigError, SinkError
from datagen.sinks.spec import open_sink
from datagen.sinks.sql import SqlOptions, SqlSink, split_url
from tests.sinks.sql_helpers import Database, as_json, table_for

KEY = "group_id,id,page_id"
#: The way the Eventer keys its rows: every top-level field ending in 'id'.
EVENTER_KEY = "group_id,id,page_id,session_id"


@dataclass
class Target:
    """A database and the sink's write path on it (copy or insert on PostgreSQL)."""

    database: Database
    method: str

    def sink(self, **options: Any) -> SqlSink:
        return self.database.sink(method=self.method, **options)


def _fresh(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> AbstractContextManager[Database]:
    """A table of this test's own on the database of that kind (dropped after)."""
    return table_for(request, kind, tmp_path)


@pytest.fixture(params=["postgresql", "mariadb", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Each real database in turn, with a table of this test's own."""
    with _fresh(request, request.param, tmp_path) as database:
        yield database


@pytest.fixture(
    params=[
        ("postgresql", "copy"),
        ("postgresql", "insert"),
        ("mariadb", "auto"),
        ("sqlite", "auto"),
    ],
    ids=["postgresql-copy", "postgresql-insert", "mariadb", "sqlite"],
)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """Each database and write path in turn."""
    kind, method = request.param
    with _fresh(request, kind, tmp_path) as database:
        yield Target(database, method)


def _primary_key(database: Database) -> list[str]:
    engine = database.engine()
    try:
        primary = sa.inspect(engine).get_pk_constraint(database.table)
        return list(primary["constrained_columns"])
    finally:
        engine.dispose()


def _by_key(
    rows: list[dict[str, Any]], key: str = KEY
) -> dict[tuple[Any, ...], dict[str, Any]]:
    columns = key.split(",")
    return {tuple(row[column] for column in columns): row for row in rows}


def test_the_key_columns_are_the_primary_key(database: Database) -> None:
    event = {"group_id": "g", "id": "i", "page_id": "p", "session_id": "s", "n": 1}
    sink = database.sink(key=EVENTER_KEY)
    with sink:
        assert sink.key_columns == ("group_id", "id", "page_id", "session_id")
        sink.send(event)
    assert sink.delivery.acknowledged == 1 and sink.delivery.failed == 0
    # In the key's order; four text columns fit one MariaDB index too.
    assert _primary_key(database) == ["group_id", "id", "page_id", "session_id"]
    assert database.rows() == [event]


def test_upsert_replaces_a_key_and_keeps_keys_differing_in_one_column(
    target: Target,
) -> None:
    def event(group: str, id_: int, page: str, note: str) -> dict[str, Any]:
        return {"group_id": group, "id": id_, "page_id": page, "note": note}

    sink = target.sink(key=KEY, batch=3)
    with sink:
        assert sink.uses_copy is (target.method == "copy")
        sink.send_many(
            [
                event("g1", 1, "p1", "first"),
                event("g2", 1, "p1", "other group"),
                event("g1", 2, "p1", "other id"),
            ]
        )
        # The table exists now: a batch of the same shape takes the fast path.
        sink.send_many(
            [
                event("g1", 1, "p2", "other page"),
                event("g1", 1, "p1", "second"),
                event("g2", 1, "p1", "other group again"),
            ]
        )
        sink.send({"group_id": "g1", "id": 1, "page_id": "p1", "extra": True})
    assert sink.delivery.acknowledged == 7 and sink.delivery.failed == 0
    rows = _by_key(target.database.rows())
    assert sorted(rows) == [
        ("g1", 1, "p1"),
        ("g1", 1, "p2"),
        ("g1", 2, "p1"),
        ("g2", 1, "p1"),
    ]
    # The last event of a key replaces the whole row (note: none of its own).
    assert rows[("g1", 1, "p1")]["note"] is None
    assert bool(rows[("g1", 1, "p1")]["extra"]) is True
    assert rows[("g1", 1, "p2")]["note"] == "other page"
    assert rows[("g1", 2, "p1")]["note"] == "other id"
    assert rows[("g2", 1, "p1")]["note"] == "other group again"


@pytest.mark.parametrize("table_exists", [False, True], ids=["new", "existing"])
def test_the_last_event_of_a_composite_key_in_a_batch_wins(
    target: Target, table_exists: bool
) -> None:
    events = [
        {"group_id": "g", "id": index % 2, "page_id": "p", "seq": index}
        for index in range(6)
    ]
    if table_exists:  # the fast path (events already rows of the table)
        with target.sink(key=KEY) as sink:
            sink.send(events[0])
    with target.sink(key=KEY) as sink:
        sink.send_many(events)  # one batch: 0..5, ids 0 and 1 alternating
    assert sink.delivery.failed == 0
    rows = _by_key(target.database.rows())
    assert {key: row["seq"] for key, row in rows.items()} == {
        ("g", 0, "p"): 4,
        ("g", 1, "p"): 5,
    }


def test_an_existing_table_is_reused_by_a_later_run(target: Target) -> None:
    with target.sink(key=KEY) as sink:
        sink.send_many([{"group_id": "g", "id": 1, "page_id": "p", "n": 1}])
    # The same columns in another order name the same key.
    with target.sink(key="page_id,group_id,id") as sink:
        sink.send_many(
            [
                {"group_id": "g", "id": 1, "page_id": "p", "n": 2},
                {"group_id": "g", "id": 2, "page_id": "p", "n": 3},
            ]
        )
    assert sink.delivery.failed == 0
    rows = _by_key(target.database.rows())
    assert {key: row["n"] for key, row in rows.items()} == {
        ("g", 1, "p"): 2,
        ("g", 2, "p"): 3,
    }


def test_a_table_of_your_own_with_a_unique_index_on_the_key_is_used(
    target: Target,
) -> None:
    database = target.database
    database.execute(
        f"CREATE TABLE {database.table} (serial_no INTEGER PRIMARY KEY, "
        "a VARCHAR(20) NOT NULL, b VARCHAR(20) NOT NULL, n INTEGER)"
    )
    database.execute(
        f"CREATE UNIQUE INDEX {database.table}_ba ON {database.table} (b, a)"
    )
    with target.sink(key="a,b") as sink:
        sink.send_many(
            [
                {"serial_no": 1, "a": "x", "b": "y", "n": 1},
                {"serial_no": 1, "a": "x", "b": "y", "n": 2},
            ]
        )
    assert sink.delivery.failed == 0
    assert [(row["a"], row["b"], row["n"]) for row in database.rows()] == [
        ("x", "y", 2)
    ]


@pytest.mark.parametrize(
    "create",
    [
        "(group_id VARCHAR(20), id VARCHAR(20), n INTEGER)",
        "(group_id VARCHAR(20), id VARCHAR(20) PRIMARY KEY, n INTEGER)",
        "(group_id VARCHAR(20), id VARCHAR(20), n INTEGER, "
        "PRIMARY KEY (group_id, id, n))",
    ],
    ids=["no key", "key on one column", "key on more columns"],
)
def test_an_existing_table_without_a_unique_key_on_the_columns_is_refused(
    database: Database, create: str
) -> None:
    database.execute(f"CREATE TABLE {database.table} {create}")
    with pytest.raises(ConfigError) as caught:
        database.sink(key="group_id,id")
    message = str(caught.value)
    assert "no primary key or unique index on (group_id, id)" in message
    assert "key=group_id,id" in message and "\n" not in message


@pytest.mark.parametrize(
    "bad_event",
    [
        {"group_id": "g", "id": 1, "n": 2},
        {"group_id": "g", "id": 1, "page_id": None, "n": 2},
    ],
    ids=["missing", "null"],
)
def test_an_event_without_one_key_field_fails_the_batch(
    target: Target, bad_event: dict[str, Any]
) -> None:
    sink = target.sink(key=KEY, retry_seconds=0)
    with pytest.raises(SinkError, match="no key field 'page_id'"):
        sink.send_many([{"group_id": "g", "id": 1, "page_id": "p"}, bad_event])
        sink.flush()
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (2, 0, 2)


def test_hostile_names_in_a_composite_key_are_data_not_sql(
    database: Database,
) -> None:
    first, second = 'quote"d', "back`tick; DROP TABLE x"
    with database.sink(key=f"{first},{second}", batch=2) as sink:
        sink.send_many(
            [
                {first: "a", second: "b", "n": 1},
                {first: "a", second: "c", "n": 2},
                {first: "a", second: "b", "n": 3},
            ]
        )
    assert sink.delivery.failed == 0
    rows = {(row[first], row[second]): row["n"] for row in database.rows()}
    assert rows == {("a", "b"): 3, ("a", "c"): 2}


@pytest.mark.parametrize(
    "target_kind, method", [("postgresql", "copy"), ("postgresql", "insert")]
)
def test_open_sink_takes_a_composite_key(
    request: pytest.FixtureRequest, tmp_path: Path, target_kind: str, method: str
) -> None:
    with _fresh(request, target_kind, tmp_path) as database:
        url = database.url(key="group_id,id", method=method)
        sink = open_sink(url.replace("postgresql+psycopg", "postgresql"))
        assert isinstance(sink, SqlSink)
        assert sink.key_columns == ("group_id", "id")
        sink.send_many([{"group_id": 1, "id": 1}, {"group_id": 1, "id": 1}])
        assert sink.close().acknowledged == 2
        assert database.rows() == [{"group_id": 1, "id": 1}]


@pytest.mark.parametrize(
    "target_kind, method",
    [("postgresql", "copy"), ("postgresql", "insert"), ("mariadb", "auto")],
    ids=["postgresql-copy", "postgresql-insert", "mariadb"],
)
def test_nested_json_and_booleans_through_a_composite_upsert(
    request: pytest.FixtureRequest, tmp_path: Path, target_kind: str, method: str
) -> None:
    def event(session: str, seen: bool, tags: list[Any]) -> dict[str, Any]:
        return {
            "session_id": session,
            "page_id": 7,
            "seen": seen,
            "tags": tags,
            "doc": {"deep": {"list": [1, 2.5, {"k": None}], "ok": seen}},
        }

    with _fresh(request, target_kind, tmp_path) as database:
        target = Target(database, method)
        with target.sink(key="session_id,page_id", nested="json", batch=2) as sink:
            sink.send_many([event("s1", True, ["a"]), event("s2", False, [])])
            sink.send_many([event("s1", False, ["b", 1, True, None])])  # upsert
        assert sink.delivery.failed == 0
        rows = _by_key(database.rows(), "session_id,page_id")
        assert sorted(rows) == [("s1", 7), ("s2", 7)]
        latest = event("s1", False, ["b", 1, True, None])
        for expected in (latest, event("s2", False, [])):
            row = rows[(expected["session_id"], 7)]
            assert as_json(row["tags"]) == expected["tags"]
            assert as_json(row["doc"]) == expected["doc"]
            if target_kind == "postgresql":
                assert row["seen"] is expected["seen"]
            else:  # MariaDB's BOOLEAN is TINYINT(1): it hands back 0/1
                assert row["seen"] == int(expected["seen"])
        _assert_json_and_boolean_columns(database)


def _assert_json_and_boolean_columns(database: Database) -> None:
    """tags and doc are JSON columns, seen a boolean one, as the database says."""
    if database.kind == "postgresql":
        types = database.types()
        assert (types["tags"], types["doc"], types["seen"]) == (
            "JSONB",
            "JSONB",
            "BOOLEAN",
        )
        return
    engine = database.engine()
    try:
        with engine.connect() as connection:
            create = connection.exec_driver_sql(
                f"SHOW CREATE TABLE {database.table}"
            ).one()[1]
    finally:
        engine.dispose()
    # MariaDB's JSON is LONGTEXT checked by json_valid; BOOLEAN is TINYINT(1).
    assert "`seen` tinyint(1)" in create
    assert "json_valid(`tags`)" in create and "json_valid(`doc`)" in create


@pytest.mark.parametrize(
    "key, message",
    [
        ("a,,b", "an empty field name"),
        ("a,", "an empty field name"),
        (",a", "an empty field name"),
        ("a, ,b", "an empty field name"),
        ("a,b,a", "column 'a' named twice"),
        ("a.b,a_b", "column 'a_b' named twice"),
        ("a," + "x" * 64, "longer than 63 characters"),
        ("a,b%01c", "control character"),
    ],
)
def test_bad_key_values_are_config_errors(key: str, message: str) -> None:
    url = f"postgresql://me:s3cr3t-pw@db.example/prod?table=t&key={key}"
    with pytest.raises(ConfigError, match=message) as caught:
        split_url(url)
    text = str(caught.value)
    assert "bad key=" in text and "s3cr3t-pw" not in text and "\n" not in text


def test_a_single_key_is_read_as_before() -> None:
    _, options = split_url("sqlite:///x.db?table=t&key=address.city")
    assert options.key == "address_city"
    assert options.key_columns == ("address_city",)
    _, options = split_url("sqlite:///x.db?table=t")
    assert options.key is None and options.key_columns == ()


def test_key_columns_for_python_callers() -> None:
    _, options = split_url("sqlite:///x.db?table=t&key=group_id, id ,page.id")
    assert options.key == "group_id,id,page_id"
    assert options.key_columns == ("group_id", "id", "page_id")
    assert SqlOptions(table="t", key="a, b").key_columns == ("a", "b")
    with pytest.raises(ConfigError, match="bad key=a,a"):
        SqlOptions(table="t", key="a,a").key_columns
