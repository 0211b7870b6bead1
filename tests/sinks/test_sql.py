"""The SQL sink against the real PostgreSQL, the real MariaDB and SQLite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from datagen.errors import ConfigError, SinkError
from datagen.sinks.spec import open_sink
from datagen.sinks.sql import SqlSink, split_url
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.sql_helpers import Database, as_json, fresh_table, table_for

KINDS = ["postgresql", "mariadb", "sqlite"]


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Each real database in turn, with a table of this test's own."""
    kind = request.param
    with table_for(request, kind, tmp_path) as database:
        yield database


@pytest.fixture
def postgres(postgresql_address: str, tmp_path: Path) -> Iterator[Database]:
    with fresh_table("postgresql", postgresql_address, tmp_path) as database:
        yield database


def _compare_flat(sent: dict[str, Any], row: dict[str, Any]) -> None:
    assert row["user_id"] == sent["user_id"]
    assert row["amount"] == pytest.approx(sent["amount"])
    assert bool(row["active"]) is sent["active"]  # MariaDB hands back 0/1
    assert row["address_city"] == sent["address"]["city"]
    assert row["address_postcode"] == sent["address"]["postcode"]
    assert as_json(row["tags"]) == sent["tags"]


def test_conformance(database: Database) -> None:
    check_sink_delivers(
        lambda: database.sink(key="id", batch=7), database.rows, compare=_compare_flat
    )


@pytest.mark.parametrize("method", ["copy", "insert"])
def test_conformance_postgresql_paths(postgres: Database, method: str) -> None:
    sink = postgres.sink(key="id", method=method)
    assert sink.uses_copy is (method == "copy")
    sink.close()
    check_sink_delivers(
        lambda: postgres.sink(key="id", method=method, batch=10),
        postgres.rows,
        compare=_compare_flat,
    )


def test_conformance_without_key_appends(database: Database) -> None:
    check_sink_delivers(
        lambda: database.sink(batch=10), database.rows, compare=_compare_flat
    )


def test_types_are_inferred_from_the_first_events(postgres: Database) -> None:
    with postgres.sink(key="id") as sink:
        sink.send_many(sample_events(3))
    assert sink._copy_plan is not None and sink._copy_plan[1].binary  # its own table
    types = postgres.types()
    assert types["id"] == "TEXT"
    assert types["amount"] == "DOUBLE PRECISION"
    assert types["active"] == "BOOLEAN"
    assert types["tags"] == "JSONB"
    assert "address" not in types and types["address_city"] == "TEXT"


def test_same_id_twice_is_one_row_updated(database: Database) -> None:
    first = {"id": "a", "amount": 1.0, "note": "first"}
    with database.sink(key="id", batch=2) as sink:
        sink.send(first)
        sink.send({"id": "b", "amount": 2.0, "note": "other"})
        sink.send({**first, "amount": 3.5, "note": "second"})  # next batch
        sink.send_many([{**first, "note": "third"}, {**first, "note": "fourth"}])
    assert sink.delivery.acknowledged == 5 and sink.delivery.failed == 0
    rows = {row["id"]: row for row in database.rows()}
    assert sorted(rows) == ["a", "b"]
    assert rows["a"]["note"] == "fourth" and rows["a"]["amount"] == 1.0
    assert rows["b"]["note"] == "other"


def test_new_fields_become_new_columns(database: Database) -> None:
    with database.sink(key="id", batch=2) as sink:
        sink.send_many([{"id": "1", "count": 1}, {"id": "2", "count": 2}])
        sink.send_many(
            [
                {"id": "3", "count": 3.5, "extra": "x", "geo": {"lat": 1.5}},
                {"id": "4", "count": 4, "flag": True},
            ]
        )
    rows = {row["id"]: row for row in database.rows()}
    assert {"extra", "geo_lat", "flag"} <= set(database.columns())
    assert rows["1"]["extra"] is None and rows["1"]["count"] == 1
    assert rows["3"]["count"] == 3.5  # the bigint column was widened
    assert rows["3"]["geo_lat"] == 1.5 and rows["3"]["extra"] == "x"
    assert bool(rows["4"]["flag"]) is True


def test_nested_json_keeps_objects_whole(database: Database) -> None:
    events = sample_events(6)
    with database.sink(key="id", nested="json") as sink:
        sink.send_many(events)
    rows = {row["id"]: row for row in database.rows()}
    assert "address_city" not in database.columns()
    for event in events:
        assert as_json(rows[event["id"]]["address"]) == event["address"]
        assert as_json(rows[event["id"]]["tags"]) == event["tags"]


HOSTILE = [
    "x; DROP TABLE {table}",
    'quote"d',
    "back`tick",
    "it's",
    "per%cent %s",
    "colon :name",
    "Mixed Case",
]


def test_hostile_names_are_data_not_sql(database: Database) -> None:
    key = HOSTILE[0].format(table=database.table)
    events = [
        {key: f"k{index}", **{name: f"v{index}" for name in HOSTILE[1:]}}
        for index in range(4)
    ]
    with database.sink(key=key, batch=3) as sink:
        sink.send_many(events)
        sink.send({key: "k0", "it's": "updated", "late; DELETE FROM x": 1})
    assert sink.delivery.failed == 0
    rows = {row[key]: row for row in database.rows()}
    assert sorted(rows) == ["k0", "k1", "k2", "k3"]
    assert rows["k0"]["it's"] == "updated" and rows["k1"]["per%cent %s"] == "v1"
    assert rows["k0"]["late; DELETE FROM x"] == 1
    assert set(HOSTILE[1:]) <= set(database.columns())


@pytest.mark.parametrize(
    "table",
    ["events; DROP TABLE x", "a b", "1abc", "x" * 64, 'q"uote', "a.b.c"],
)
def test_bad_table_names_are_refused(table: str) -> None:
    with pytest.raises(ConfigError, match="is not a valid table name"):
        split_url(f"sqlite:///x.db?table={table}")


def test_an_unusable_field_name_is_one_line(tmp_path: Path) -> None:
    with fresh_table("sqlite", None, tmp_path) as database:
        sink = database.sink(retry_seconds=0)
        with pytest.raises(SinkError, match="longer than 63") as caught:
            sink.send_many([{"id": "1", "y" * 70: 1}])
            sink.flush()
        assert "\n" not in str(caught.value)
        assert sink.close().failed == 1


def test_unreachable_database_fails_fast_with_password_hidden() -> None:
    url = "postgresql+psycopg://someone:s3cr3t-pw@127.0.0.1:1/test?table=t&key=id"
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        open_sink(url)
    message = str(caught.value)
    assert time.monotonic() - started < 6
    assert "cannot connect" in message and "127.0.0.1:1" in message
    assert "s3cr3t-pw" not in message and "\n" not in message


def test_unreachable_mariadb_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(SinkError, match="cannot connect") as caught:
        open_sink("mysql+pymysql://root:hush@127.0.0.1:1/test?table=t")
    assert time.monotonic() - started < 6 and "hush" not in str(caught.value)


def test_open_sink_picks_the_sql_sink_by_scheme(postgres: Database) -> None:
    sink = open_sink(postgres.url(key="id").replace("postgresql+psycopg", "postgresql"))
    assert isinstance(sink, SqlSink) and sink.dialect == "postgresql"
    assert postgres.table in sink.describe()
    sink.close()


@pytest.mark.parametrize(
    "query, message",
    [
        ("key=id", r"needs \?table="),
        ("table=t&batch=zero", "batch must be a number"),
        ("table=t&nested=yaml", "nested must be flatten or json"),
        ("table=t&method=bulk", "method must be auto, copy or insert"),
        ("table=t&batch=0", "batch must be at least 1"),
    ],
)
def test_bad_options_are_config_errors(query: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        split_url(f"sqlite:///x.db?{query}")


def test_options_are_stripped_and_password_comes_from_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAGEN_SQL_PASSWORD", "from-env")
    url, options = split_url(
        "postgresql://me@db.example/prod?table=events&key=address.city"
        "&batch=500&sslmode=disable"
    )
    assert url.drivername == "postgresql+psycopg"
    assert url.password == "from-env"
    assert dict(url.query) == {"sslmode": "disable"}
    assert options.table == "events" and options.key == "address_city"
    assert options.batch == 500


def test_existing_table_without_unique_key_is_refused(database: Database) -> None:
    database.execute(f"CREATE TABLE {database.table} (id VARCHAR(20), n INTEGER)")
    with pytest.raises(ConfigError, match="no primary key or unique index on 'id'"):
        database.sink(key="id")


def test_existing_table_is_reused(database: Database) -> None:
    database.execute(
        f"CREATE TABLE {database.table} (id VARCHAR(20) PRIMARY KEY, n INTEGER)"
    )
    with database.sink(key="id") as sink:
        sink.send_many([{"id": "a", "n": 1}, {"id": "a", "n": 2, "more": "yes"}])
    assert [(row["id"], row["n"], row["more"]) for row in database.rows()] == [
        ("a", 2, "yes")
    ]


def test_event_without_key_fails_the_batch(database: Database) -> None:
    sink = database.sink(key="id", retry_seconds=0)
    with pytest.raises(SinkError, match="no key field 'id'"):
        sink.send_many([{"id": "1"}, {"other": 2}])
        sink.flush()
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (2, 0, 2)


def test_copy_into_a_table_of_other_types_uses_the_text_format(
    postgres: Database,
) -> None:
    postgres.execute(
        f"CREATE TABLE {postgres.table} (id TEXT PRIMARY KEY, at TIMESTAMPTZ, "
        "price NUMERIC(10, 2), doc JSON)"
    )
    with postgres.sink(key="id", method="copy", nested="json") as sink:
        sink.send_many(
            [
                {"id": "a", "at": "2025-01-01T10:00:00Z", "price": 9.99, "doc": [1]},
                {"id": "b", "at": None, "price": 1, "doc": {"x": "y"}},
            ]
        )
    assert sink.delivery.acknowledged == 2 and sink.delivery.failed == 0
    rows = {row["id"]: row for row in postgres.rows()}
    assert sink._copy_plan is not None and not sink._copy_plan[1].binary
    assert rows["a"]["at"].isoformat() == "2025-01-01T10:00:00+00:00"
    assert float(rows["a"]["price"]) == 9.99 and rows["b"]["doc"] == {"x": "y"}


def test_json_values_of_any_shape_in_a_json_column(database: Database) -> None:
    events = [
        {"id": "1", "payload": {"deep": {"list": [1, 2, {"k": None}]}}},
        {"id": "2", "payload": "just text"},
        {"id": "3", "payload": 42},
        {"id": "4", "payload": None},
    ]
    with database.sink(key="id", nested="json") as sink:
        sink.send_many(events)
    rows = {row["id"]: row for row in database.rows()}
    for event in events:
        stored = rows[event["id"]]["payload"]
        if database.kind != "postgresql" and stored is not None:
            stored = as_json(stored)  # MariaDB and SQLite hand back JSON text
        assert stored == event["payload"]


def test_driver_options_pass_and_unknown_keys_are_refused(postgres: Database) -> None:
    sink = open_sink(postgres.url(key="id", application_name="datagen-test"))
    sink.send_many([{"id": "a", "n": 1}])
    sink.flush()
    with postgres.engine().connect() as connection:
        names = connection.execute(
            sa.text("SELECT application_name FROM pg_stat_activity")
        ).scalars()
        assert "datagen-test" in set(names)
    assert sink.close().acknowledged == 1
    assert postgres.rows() == [{"id": "a", "n": 1}]
    with pytest.raises(ConfigError) as caught:
        open_sink(postgres.url(key="id", batchsize=10))
    assert "unknown option 'batchsize'" in str(caught.value)
    assert "or a connection option of psycopg" in str(caught.value)
