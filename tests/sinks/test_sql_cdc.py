"""The SQL sink applies change events (`op` c/u/d, flat or in an envelope): it
upserts and deletes by key on the real PostgreSQL (COPY and INSERT paths),
MariaDB, and SQLite, and ends holding what the ground truth says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from datagen.errors import ConfigError, SinkError
from datagen.sinks.sql import split_url
from tests.sinks.cdc_events import BATCHES, Event, as_envelopes, change, truth_of
from tests.sinks.sql_helpers import Database, fresh_table, table_for


@pytest.fixture(
    params=[
        ("postgresql", "copy"),
        ("postgresql", "insert"),
        ("mariadb", "auto"),
        ("sqlite", "auto"),
    ],
    ids=["postgresql-copy", "postgresql-insert", "mariadb", "sqlite"],
)
def target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, str]]:
    """Each database and write path in turn, with a table of this test's own."""
    kind, method = request.param
    with table_for(request, kind, tmp_path) as database:
        yield database, method


def table_rows(database: Database, key: tuple[str, ...]) -> list[Event]:
    return sorted(database.rows(), key=lambda row: tuple(row[k] for k in key))


@pytest.mark.parametrize("shape", ["flat", "envelope"])
@pytest.mark.parametrize("batch", [3, 2, 100])
def test_changes_end_as_the_ground_truth(
    target: tuple[Database, str], tmp_path: Path, shape: str, batch: int
) -> None:
    database, method = target
    batches = BATCHES if shape == "flat" else as_envelopes(BATCHES)
    sink = database.sink(key="id", method=method, batch=batch)
    with sink:
        for events in batches:
            sink.send_many(events)
    assert sink.changes is True
    assert sink.delivery.acknowledged == 10 and sink.delivery.failed == 0
    expected = truth_of(batches, tmp_path, "id")
    assert [row["id"] for row in expected] == [2, 3]
    assert table_rows(database, ("id",)) == expected
    assert "op" not in database.columns()


def test_a_composite_key(target: tuple[Database, str], tmp_path: Path) -> None:
    database, method = target
    events = [
        change("c", 1, 1, "a", group="g1"),
        change("c", 1, 1, "b", group="g2"),
        change("u", 1, 2, "c", group="g2"),
        change("d", 1, 2, "a", group="g1"),
        change("c", 2, 1, "d", group="g1"),
    ]
    sink = database.sink(key="group,id", method=method, batch=2)
    with sink:
        sink.send_many(events)
    expected = truth_of([events], tmp_path, "group,id")
    rows = table_rows(database, ("group", "id"))
    assert [(row["group"], row["id"], row["email"]) for row in rows] == [
        ("g1", 2, "d"),
        ("g2", 1, "c"),
    ]
    assert rows == expected


def test_deletes_alone_make_no_table(tmp_path: Path) -> None:
    with fresh_table("sqlite", None, tmp_path) as database:
        sink = database.sink(key="id")
        with sink:
            sink.send_many([change("d", 1, 2, "x")])
        assert sink.delivery.acknowledged == 1
        engine = database.engine()
        try:
            assert not sa.inspect(engine).has_table(database.table)
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    ("options", "changes", "columns", "rows"),
    [
        ({"key": "id", "cdc": "false"}, False, ["op", "group", "id"], 1),
        ({}, False, ["op", "group", "id"], 2),  # no key: ordinary rows
        ({"key": "id"}, True, ["group", "id", "version"], 0),
        ({"key": "id", "cdc": "true"}, True, ["group", "id", "version"], 0),
    ],
)
def test_which_streams_are_changes(
    tmp_path: Path,
    options: dict[str, str],
    changes: bool,
    columns: list[str],
    rows: int,
) -> None:
    with fresh_table("sqlite", None, tmp_path) as database:
        sink = database.sink(batch=1, **options)
        with sink:
            sink.send_many([change("c", 1, 1, "a"), change("d", 1, 2, "a")])
        assert sink.changes is changes
        assert database.columns()[:3] == columns
        assert len(database.rows()) == rows


def test_ordinary_records_first_keep_the_stream_ordinary(tmp_path: Path) -> None:
    with fresh_table("sqlite", None, tmp_path) as database:
        sink = database.sink(key="id", batch=1)
        with sink:
            sink.send_many([{"id": 1, "op": "plus"}, change("d", 1, 2, "a")])
        assert sink.changes is False
        assert [row["op"] for row in database.rows()] == ["d"]


def test_cdc_true_applies_plain_records_as_upserts(tmp_path: Path) -> None:
    with fresh_table("sqlite", None, tmp_path) as database:
        sink = database.sink(key="id", cdc="true")
        with sink:
            sink.send_many([{"id": 1, "n": 1}, {"op": "d", "id": 1}, {"id": 2}])
        assert [row["id"] for row in database.rows()] == [2]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cdc=true", "cdc=true needs key=FIELD"),
        ("key=id&cdc=maybe", "cdc must be auto, true or false, not 'maybe'"),
    ],
)
def test_bad_cdc_options_are_one_line(query: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        split_url(f"sqlite:///x.db?table=t&{query}")


def test_a_bad_op_in_a_change_stream_fails_the_batch(tmp_path: Path) -> None:
    with fresh_table("sqlite", None, tmp_path) as database:
        sink = database.sink(key="id", batch=1)
        with pytest.raises(SinkError, match="op must be c, r, u or d, not 'x'"):
            with sink:
                sink.send_many([change("c", 1, 1, "a"), change("x", 1, 2, "b")])
                sink.flush()
