"""The Eventer README's two requests, posted to a real `generate.py serve` over
HTTP with only the interval and the topic/table names changed, and every
event read back from the real Kafka topic or PostgreSQL table: each is what
/preview gives for the seed the status reports. Then status, remove, dedupe,
live tails, the CLI's equality with /preview, and the API's description."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from tests.processes import run_generate
from tests.service.conftest import (
    Service,
    eventer_body,
    eventually,
    simple_body,
    template_of,
    unique,
)
from tests.sinks.kafka_topics import partition_count, read_topic

INSTANCE_ID = "inst-42"
PASSWORD = "s3cretpw"
SERVICE_ROUTES = (
    "/generator/add",
    "/generator/status",
    "/generator/remove",
    "/generators",
    "/generator/stream",
    "/preview",
    "/health",
    "/metrics",
)


@pytest.fixture(scope="module")
def service(
    module_serve: Callable[..., Service], kafka_bootstrap: str, database_url: str
) -> Service:
    # trust authentication takes any password: this one must never show
    with_password = database_url.replace("postgres@", f"postgres:{PASSWORD}@")
    assert PASSWORD in with_password
    return module_serve(
        "--kafka",
        kafka_bootstrap,
        "--database",
        with_password,
        "--instance-id",
        INSTANCE_ID,
    )


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(
        database_url.replace("postgresql:", "postgresql+psycopg:")
    )
    yield engine
    engine.dispose()


@pytest.fixture
def tables(engine: sa.Engine) -> Iterator[list[str]]:
    """Table names of this test's own (append), dropped at the end."""
    names: list[str] = []
    yield names
    with engine.begin() as connection:
        for name in names:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def rows_of(engine: sa.Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.exec_driver_sql(f"SELECT * FROM {table}")
        return [dict(row) for row in result.mappings()]


def row_count(engine: sa.Engine, table: str) -> int:
    """Rows in table; 0 while it does not exist (it is made at the first write)."""
    if not sa.inspect(engine).has_table(table):
        return 0
    return len(rows_of(engine, table))


def primary_key(engine: sa.Engine, table: str) -> list[str]:
    return sorted(sa.inspect(engine).get_pk_constraint(table)["constrained_columns"])


def last_of_each_key(
    events: list[dict[str, Any]], key: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """An upsert's table: the last event of each key."""
    return {tuple(event[name] for name in key): event for event in events}


def check_topic(
    bootstrap: str, topic: str, expected: list[dict[str, Any]], key: str = "id"
) -> None:
    """topic holds exactly expected (in order within each partition), each
    keyed by its `key` field."""
    records = read_topic(bootstrap, topic, len(expected))
    values = [orjson.loads(record.value) for record in records]
    assert len(values) == len(expected)
    for record, value in zip(records, values):
        assert record.key == str(value[key]).encode()
    if partition_count(bootstrap, topic) == 1:
        assert values == expected
    else:
        assert sorted(map(orjson.dumps, values)) == sorted(map(orjson.dumps, expected))


def test_readme_kafka_request_delivers_the_previewed_events(
    service: Service, kafka_bootstrap: str
) -> None:
    boo, moo = unique("boo"), unique("moo")
    body = eventer_body("eventer_kafka", boo=boo, moo=moo)
    answered = service.add_ok(body)
    assert [(item["count"], item["active"]) for item in answered] == [
        (10, True),
        (10, True),
    ]
    ids = [item["id"] for item in answered]
    assert all(re.fullmatch(r"[0-9]+", item) and int(item) < 2**64 for item in ids)
    assert len(set(ids)) == 2
    statuses = service.wait_done(ids)
    for status, event, topic in zip(statuses, body["events"], (boo, moo)):
        assert status["count"] == 0
        assert (status["sent"], status["acknowledged"], status["failed"]) == (
            10,
            10,
            0,
        )
        assert status["last_error"] is None
        assert isinstance(status["seed"], int)  # drawn, as the request gave none
        assert status["started_at"]
        expected = service.preview(event, status["seed"], 10)
        if topic == boo:  # the first template reads the dataset and instance
            assert {item["dataset"] for item in expected} == {"crazy_airflow"}
            assert {item["group_id"] for item in expected} == {INSTANCE_ID}
        check_topic(kafka_bootstrap, topic, expected)


def test_readme_postgres_request_upserts_the_previewed_events(
    service: Service, engine: sa.Engine, tables: list[str]
) -> None:
    boo, moo = unique("boo"), unique("moo")
    tables += [boo, moo]
    body = eventer_body("eventer_postgres", boo=boo, moo=moo)
    ids = [item["id"] for item in service.add_ok(body)]
    statuses = service.wait_done(ids)
    keys = (("group_id", "id", "page_id", "session_id"), ("id",))
    for status, event, table, key in zip(statuses, body["events"], tables, keys):
        assert (status["sent"], status["acknowledged"], status["failed"]) == (
            10,
            10,
            0,
        )
        assert primary_key(engine, table) == list(key)
        expected = last_of_each_key(service.preview(event, status["seed"], 10), key)
        rows = rows_of(engine, table)
        assert len(rows) == len(expected)
        for row in rows:
            # nested objects come back from jsonb as objects, numbers as numbers
            assert row == expected[tuple(row[name] for name in key)]


def test_postgres_existing_table_is_reused_and_upserted(
    service: Service, engine: sa.Engine, tables: list[str]
) -> None:
    table = unique("reused")
    tables.append(table)
    event = eventer_body("eventer_postgres")["events"][1]  # key (id), 1..1000
    expected: list[dict[str, Any]] = []
    for seed in (11, 12):
        body = simple_body(
            template_of(event),
            {"type": "postgres", "postgres": {"table": table}},
            count=10,
            interval="5ms",
            seed=seed,
        )
        ids = [item["id"] for item in service.add_ok(body)]
        (status,) = service.wait_done(ids)
        assert status["seed"] == seed and status["acknowledged"] == 10
        expected += service.preview(event, seed, 10)
    table_now = last_of_each_key(expected, ("id",))
    rows = rows_of(engine, table)
    assert len(rows) == len(table_now)
    assert {row["id"]: row for row in rows} == {
        key[0]: value for key, value in table_now.items()
    }


def test_inactive_means_every_event_is_delivered(
    service: Service, engine: sa.Engine, tables: list[str]
) -> None:
    """Eventer's `active: false` tells a client its data is in. The table is
    locked while the generator runs, so its final write waits: the generator
    stays active until that write is done, and its first inactive status
    counts every row, which is then in the table."""
    table = unique("settled")
    tables.append(table)
    template = simple_body()["events"][0]["template"]
    body = simple_body(
        template,
        {"type": "postgres", "postgres": {"table": table}},
        count=10,
        interval="5ms",
        seed=3,
    )
    with engine.begin() as connection:  # an existing table, as Eventer's would be
        connection.exec_driver_sql(
            f"CREATE TABLE {table} (id bigint PRIMARY KEY, word text)"
        )
    with engine.connect() as locker:
        (added,) = service.add_ok(body)
        locker.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            status = service.status(added["id"])
            assert status["active"] or status["acknowledged"] == 10, status
            time.sleep(0.02)
        locker.rollback()
    while True:  # no pause: the first status that says inactive
        status = service.status(added["id"])
        if not status["active"]:
            break
    assert (status["sent"], status["acknowledged"], status["failed"]) == (10, 10, 0)
    expected = last_of_each_key(service.preview({"template": template}, 3, 10), ("id",))
    assert {row["id"]: row for row in rows_of(engine, table)} == {
        key[0]: event for key, event in expected.items()
    }


def test_postgres_stores_booleans_nulls_and_nested_objects(
    service: Service, engine: sa.Engine, tables: list[str]
) -> None:
    table = unique("typed")
    tables.append(table)
    template = """{
      id: std.native('get_integer')(1, 1000000),
      ok: std.native('get_integer')(0, 1) == 1,
      off: false,
      score: std.native('get_number')(0, 1),
      nested: { tags: ['a', 'b'], deep: { n: std.native('get_integer')(1, 9) } },
    }"""
    body = simple_body(
        template,
        {"type": "postgres", "postgres": {"table": table}},
        count=20,
        interval="5ms",
        seed=8,
    )
    ids = [item["id"] for item in service.add_ok(body)]
    (status,) = service.wait_done(ids)
    assert (status["acknowledged"], status["failed"]) == (20, 0)
    types = {
        column["name"]: str(column["type"])
        for column in sa.inspect(engine).get_columns(table)
    }
    assert types["ok"] == types["off"] == "BOOLEAN"
    assert types["nested"].startswith("JSONB")
    expected = last_of_each_key(service.preview({"template": template}, 8, 20), ("id",))
    assert {row["id"]: row for row in rows_of(engine, table)} == {
        key[0]: event for key, event in expected.items()
    }
    assert {type(event["ok"]) for event in expected.values()} == {bool}


def test_a_slow_generators_rows_arrive_without_waiting_for_the_next(
    service: Service, engine: sa.Engine, tables: list[str]
) -> None:
    table = unique("slow")
    tables.append(table)
    body = simple_body(
        destination={"type": "postgres", "postgres": {"table": table}},
        count=0,
        interval="3s",
    )
    (added,) = service.add_ok(body)
    try:
        eventually(lambda: service.status(added["id"])["sent"] >= 1, "nothing sent")
        deadline = time.monotonic() + 1.5  # the sink's linger (1 s) and slack
        while not row_count(engine, table) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert row_count(engine, table) == 1
    finally:
        service.remove(added["id"])


def test_a_sink_failing_mid_stream_ends_its_generator_with_one_line(
    service: Service, engine: sa.Engine, tables: list[str]
) -> None:
    table = unique("dropped")
    tables.append(table)
    body = simple_body(
        destination={"type": "postgres", "postgres": {"table": table}},
        count=0,
        interval="5ms",
    )
    (added,) = service.add_ok(body)
    eventually(lambda: row_count(engine, table), "nothing written")
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {table}")
    eventually(
        lambda: not service.status(added["id"])["active"],
        "still active with its table gone",
        seconds=20,
    )
    status = service.status(added["id"])
    error = status["last_error"]
    assert error and "\n" not in error and table in error
    assert PASSWORD not in error
    assert status["failed"] > 0
    assert status["acknowledged"] + status["failed"] == status["sent"]
    service.remove(added["id"])


def test_a_registered_provider_to_kafka_keyed_by_another_field(
    service: Service, kafka_bootstrap: str
) -> None:
    topic = unique("provider")
    body = {
        "destinations": [
            {"id": "d", "type": "kafka", "kafka": {"topic": topic, "key": "status"}}
        ],
        "events": [
            {"id": "e", "provider": "order", "count": 6, "interval": "5ms", "seed": 1}
        ],
        "schedules": [{"destination_id": "d", "event_id": "e"}],
    }
    (status,) = service.wait_done([item["id"] for item in service.add_ok(body)])
    assert (status["acknowledged"], status["source"]) == (6, "provider order")
    # the run record, as --manifest writes it: a pipeline's counts check against it
    record = status["manifest"]
    assert (record["command"], record["seed"]) == ("serve", 1)
    (stream,) = record["streams"].values()
    assert stream["count"] == stream["clean"] == 6 and stream["faulted"] == {}
    (sink,) = record["sinks"]
    assert (sink["sent"], sink["acknowledged"], sink["failed"]) == (6, 6, 0)
    assert topic in sink["name"] and sink["name"] in stream["outputs"]
    expected = service.preview({"provider": "order"}, 1, 6)
    check_topic(kafka_bootstrap, topic, expected, key="status")


def test_status_counts_down_and_remove_stops_and_flushes(
    service: Service, kafka_bootstrap: str
) -> None:
    topic = unique("removed")
    template = (
        "{ id: std.native('get_integer')(1, 50), n: std.native('get_number')(0, 1) }"
    )
    body = simple_body(
        template,
        {"type": "kafka", "kafka": {"topic": topic}},
        count=1000,
        interval="10ms",
        seed=99,
    )
    (added,) = service.add_ok(body)
    assert added["count"] == 1000 and added["active"] is True
    generator_id = added["id"]
    status = eventually(
        lambda: (found := service.status(generator_id))["sent"] >= 20 and found,
        "the generator sends nothing",
    )
    assert status["active"] is True
    assert 0 < status["count"] < 1000
    assert status["count"] + status["sent"] == 1000  # Eventer's count: remaining
    # remove by JSON body, the id as text (Eventer's form)
    response = service.client.post("/generator/remove", json={"id": generator_id})
    assert response.status_code == 200 and response.json() == {"status": "OK"}
    gone = service.client.get("/generator/status", params={"id": generator_id})
    assert gone.status_code == 404
    assert generator_id in gone.json()["error"]
    again = service.client.post("/generator/remove", params={"id": generator_id})
    assert again.status_code == 404
    assert generator_id not in [
        item["id"] for item in service.client.get("/generators").json()["generators"]
    ]
    # flushed: what was sent before remove is in the topic, the stream's prefix
    records = read_topic(kafka_bootstrap, topic, status["sent"])
    assert status["sent"] <= len(records) < 100
    check_topic(
        kafka_bootstrap,
        topic,
        service.preview({"template": template}, 99, len(records)),
    )


def test_stream_ends_when_the_generator_does(service: Service) -> None:
    template = "{ id: std.native('get_integer')(1, 1000000000) }"
    (added,) = service.add_ok(simple_body(template, count=60, interval="20ms", seed=6))
    lines = []
    with service.client.stream(
        "GET", "/generator/stream", params={"id": added["id"]}, timeout=10
    ) as response:
        for line in response.iter_lines():
            lines.append(line)
    assert "event: end" in lines
    data = [orjson.loads(line[5:]) for line in lines if line.startswith("data:")]
    events = data[:-1] if data and data[-1] == {} else data
    assert 0 < len(events) <= 60
    expected = service.preview({"template": template}, 6, 60)
    assert events == expected[60 - len(events) :]  # the tail ends at the last


def test_seed_is_part_of_the_identity(service: Service) -> None:
    seeded = service.add_ok(simple_body(count=5, interval="1h", seed=1))[0]["id"]
    try:
        again = service.add_ok(simple_body(count=5, interval="1h", seed=1))[0]["id"]
        other = service.add_ok(simple_body(count=5, interval="1h", seed=2))[0]["id"]
        assert again == seeded
        assert other != seeded
        service.remove(other)
    finally:
        service.remove(seeded)


def test_remove_takes_the_id_as_a_json_number(service: Service) -> None:
    (added,) = service.add_ok(simple_body(count=5, interval="1h"))
    response = service.client.post("/generator/remove", json={"id": int(added["id"])})
    assert response.status_code == 200, response.text
    assert (
        service.client.get("/generator/status", params={"id": added["id"]}).status_code
        == 404
    )


def test_seed_given_is_reported_and_used(service: Service) -> None:
    template = "{ id: std.native('get_integer')(1, 1000000) }"
    (added,) = service.add_ok(simple_body(template, count=3, interval="5ms", seed=42))
    (status,) = service.wait_done([added["id"]])
    assert status["seed"] == 42
    assert service.preview({"template": template}, 42, 3) != service.preview(
        {"template": template}, 43, 3
    )


def reordered(schema: str) -> str:
    """schema (base64 Jsonnet) with its object's fields in another order,
    other whitespace and a comment: the same template in canonical form."""
    text = base64.b64decode(schema).decode()
    lines = text.splitlines()
    start = lines.index("{") + 1
    end = lines.index("}")
    fields = lines[start:end]
    assert len(fields) >= 3, text
    moved = lines[:start] + list(reversed(fields)) + ["", lines[end]]
    changed = "// reordered\n" + "\n".join(moved).replace("    ", "  ") + "\n"
    assert changed != text
    return base64.b64encode(changed.encode()).decode()


def test_dedupe_same_request_same_ids_and_one_generator(
    service: Service, kafka_bootstrap: str
) -> None:
    boo, moo = unique("dedupe_boo"), unique("dedupe_moo")
    body = eventer_body("eventer_kafka", interval="1h", boo=boo, moo=moo)
    first = service.add_ok(body)
    ids = [item["id"] for item in first]
    try:
        started = [service.status(item)["started_at"] for item in ids]
        assert [item["id"] for item in service.add_ok(body)] == ids
        listed = [
            item["id"]
            for item in service.client.get("/generators").json()["generators"]
        ]
        assert sorted(item for item in listed if item in ids) == sorted(ids)
        assert [service.status(item)["started_at"] for item in ids] == started

        other = eventer_body("eventer_kafka", interval="1h", boo=boo, moo=moo)
        other["events"][1]["schema"] = reordered(other["events"][1]["schema"])
        assert [item["id"] for item in service.add_ok(other)] == ids

        for change in ("count", "interval", "topic", "template"):
            changed = eventer_body("eventer_kafka", interval="1h", boo=boo, moo=moo)
            if change == "count":
                changed["events"][1]["count"] = 11
            elif change == "interval":
                changed["events"][1]["interval"] = "59m"
            elif change == "topic":
                changed["destinations"][1]["kafka"]["topic"] = moo + "_x"
            else:
                text = template_of(changed["events"][1]).replace("1000", "1001")
                changed["events"][1]["schema"] = base64.b64encode(
                    text.encode()
                ).decode()
            new_ids = [item["id"] for item in service.add_ok(changed)]
            assert new_ids[0] == ids[0], change  # schedule 1 is unchanged
            assert new_ids[1] != ids[1], change
            service.remove(new_ids[1])
    finally:
        for item in ids:
            service.remove(item)


def test_equal_requests_at_once_start_one_generator(service: Service) -> None:
    body = simple_body("{ id: 'at-once', k: 1 }", count=3, interval="1h")
    answers: list[str] = []

    def add() -> None:
        answers.append(service.add_ok(body)[0]["id"])

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(answers) == 6 and len(set(answers)) == 1
        listed = service.client.get("/generators").json()["generators"]
        assert [item["id"] for item in listed].count(answers[0]) == 1
    finally:
        service.remove(answers[0])


def test_stream_sends_each_event_as_it_is_generated(service: Service) -> None:
    template = "{ id: std.native('get_integer')(1, 1000000000) }"
    (added,) = service.add_ok(simple_body(template, count=0, interval="10ms", seed=5))
    received: list[Any] = []
    try:
        with service.client.stream(
            "GET", "/generator/stream", params={"id": added["id"]}, timeout=10
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                assert not line.startswith("event: end"), service.status(added["id"])
                if line.startswith("data:"):
                    received.append(orjson.loads(line[len("data:") :]))
                if len(received) == 8:
                    break
    finally:
        service.remove(added["id"])
    expected = service.preview({"template": template}, 5, 100)
    start = expected.index(received[0])
    assert received == expected[start : start + 8]


def test_document_cli_writes_what_preview_gives(
    service: Service, tmp_path: Path
) -> None:
    event = eventer_body("eventer_kafka")["events"][1]
    (tmp_path / "template.jsonnet").write_text(template_of(event))
    result = run_generate(
        "document",
        "--template",
        tmp_path / "template.jsonnet",
        "--seed",
        77,
        "-q",
        10,
        "-o",
        "-",
        "--format",
        "jsonl",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    written = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert written == service.preview(event, 77, 10)


def test_openapi_lists_the_routes_and_docs_are_served_offline(
    service: Service,
) -> None:
    schema = service.client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert all(route in paths for route in SERVICE_ROUTES), sorted(paths)
    docs = service.client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        assert service.client.get(asset).status_code == 200, asset


def test_no_password_in_any_answer_or_output(service: Service) -> None:
    """Last in the module: nothing the tests above did showed the password."""
    assert PASSWORD not in service.client.get("/generators").text
    assert PASSWORD not in service.client.get("/config").text
    assert PASSWORD not in service.metrics()
    assert PASSWORD not in service.stderr()


def test_a_declaration_previews_what_the_columnar_command_writes(
    service: Service, tmp_path: Path
) -> None:
    twin = Path(__file__).resolve().parents[2] / "examples" / "starfleet_account.yaml"
    result = run_generate(
        "document", "--providers-dir", twin.parent, "-p", "starfleet_account_yaml",
        "--seed", 78, "-q", 20, "-o", "-", "--format", "jsonl", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = [orjson.loads(line) for line in result.stdout.splitlines()]
    event = {"declaration": twin.read_text()}
    assert written == service.preview(event, 78, 20)
