"""The columnar engine with what the row engine works with: faults, related
streams, real servers (PostgreSQL, the Kafka-protocol broker) and the
service's resumable streams, each read back."""

from __future__ import annotations

import secrets
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from datagen.declarative import loader
from datagen.documents import DOCUMENT_PROVIDERS
from datagen.runs.streams import DocumentStream
from tests.faults.reader import check, read_lines, read_manifest
from tests.processes import ROOT, run_generate
from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic

EXAMPLES = ROOT / "examples"
TWIN = "starfleet_account_yaml"
FAULTS = "malformed=0.01,duplicate=0.01,null=0.01,wrong_type=0.01,drift=0.01"


def document(*argv: object) -> str:
    """`generate.py document --providers-dir examples ...`: its stderr."""
    done = run_generate("document", "--providers-dir", EXAMPLES, *argv, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_faults_are_listed_exactly_and_alike_whatever_the_workers(
    tmp_path: Path,
) -> None:
    found = []
    for workers in (1, 2):
        out, faults = tmp_path / f"d{workers}.jsonl", tmp_path / f"f{workers}.jsonl"
        document(
            "-p", TWIN, "-q", 60_000, "--seed", 4, "--workers", workers, "-o", out,
            "--faults", FAULTS, "--faults-manifest", faults,
        )  # fmt: skip
        lines, entries = read_lines(out), read_manifest(faults)
        counts = check(lines, entries, TWIN, "id")
        assert set(counts) == {"malformed", "duplicate", "null", "wrong_type", "drift"}
        assert len(lines) == 60_000 + counts["duplicate"]
        found.append((out.read_bytes(), faults.read_bytes()))
    assert found[0] == found[1]


def test_a_columnar_parent_and_its_child_hold_only_written_keys(tmp_path: Path) -> None:
    related = EXAMPLES / "related"
    done = run_generate(
        "document", "--providers-dir", related, "-p", "customers", "-q", 60_000,
        "-p", "orders", "-q", 20_000, "--seed", 9, "-o", tmp_path / "out/",
        "--format", "jsonl", "--workers", 2, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    customers = (tmp_path / "out" / "customers.jsonl").read_bytes().splitlines()
    orders = (tmp_path / "out" / "orders.jsonl").read_bytes().splitlines()
    ids = {orjson.loads(line)["id"] for line in customers}
    assert len(ids) == 60_000 == len(customers)
    assert min(ids) == 1001 and max(ids) == 61_000  # a sequence from 1001
    assert len(orders) == 20_000
    assert all(orjson.loads(line)["customer_id"] in ids for line in orders)


def test_postgresql_gets_every_row_of_a_columnar_run(tmp_path: Path) -> None:
    address = ensure_service("postgresql")
    table = f"t_{secrets.token_hex(5)}"
    url = f"postgresql+psycopg://postgres@{address}/test"
    jsonl = tmp_path / "a.jsonl"
    stderr = document(
        "-p", TWIN, "-q", 70_000, "--seed", 6, "-o", jsonl,
        "--sink", f"{url}?table={table}",
    )  # fmt: skip
    assert "70,000" in stderr
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                f"SELECT id, surname, communicator FROM {table} ORDER BY id"
            ).all()
        expected = sorted(
            (doc["id"], doc["surname"], doc["communicator"])
            for doc in map(orjson.loads, jsonl.read_bytes().splitlines())
        )
        assert [tuple(row) for row in rows] == expected
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        engine.dispose()


def test_a_kafka_topic_holds_the_columnar_run(tmp_path: Path) -> None:
    bootstrap = ensure_service("kafka")
    topic = f"columnar-{secrets.token_hex(4)}"
    jsonl = tmp_path / "a.jsonl"
    document(
        "-p", TWIN, "-q", 60_000, "--seed", 8, "-o", jsonl, "--workers", 2,
        "--sink", f"kafka://{bootstrap}/{topic}?key=id",
    )  # fmt: skip
    records = read_topic(bootstrap, topic, 60_000)
    written = {
        doc["id"]: doc for doc in map(orjson.loads, jsonl.read_bytes().splitlines())
    }
    assert len(records) == 60_000
    for record in records:
        assert record.key is not None
        assert orjson.loads(record.value) == written[record.key.decode()]


@pytest.fixture
def twin(isolated_declarations: None) -> type:
    loader.use_folders([EXAMPLES])
    return DOCUMENT_PROVIDERS.get(TWIN)


def test_the_service_stream_sends_what_the_command_writes(
    tmp_path: Path, twin: type
) -> None:
    out = tmp_path / "a.jsonl"
    document("-p", TWIN, "-q", 50_010, "--seed", 12, "-o", out)
    written = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    stream = DocumentStream(twin, 12)
    sent = stream.take(3) + stream.take(49_990) + stream.take(17)
    assert sent == written
    resumed = DocumentStream(twin, 12, start=49_999)
    assert resumed.take(11) == written[49_999:]


def test_a_skewed_child_is_columnar_and_keeps_the_skew(tmp_path: Path) -> None:
    explained = run_generate(
        "validate", "--explain", EXAMPLES / "related" / "orders.yaml"
    )
    assert "engine: columnar" in explained.stdout, explained.stdout
    done = run_generate(
        "document", "--providers-dir", EXAMPLES / "related", "-p", "customers",
        "-q", 1000, "-p", "orders", "-q", 100_000, "--seed", 2,
        "-o", tmp_path / "out/", "--format", "jsonl", timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    orders = (tmp_path / "out" / "orders.jsonl").read_bytes().splitlines()
    counts: dict[int, int] = {}
    for line in orders:
        key = orjson.loads(line)["customer_id"]
        counts[key] = counts.get(key, 0) + 1
    busiest = sorted(counts.values(), reverse=True)[:200]  # a fifth of 1,000
    assert 0.77 <= sum(busiest) / len(orders) <= 0.83  # 80/20
