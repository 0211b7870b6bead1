"""`document --cluster --sink URL` alone: each worker opens its own
connection and sends its shards; the summary adds the shards' counts up."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import SEED, generate_together
from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic, unique_topic
from tests.sinks.sql_helpers import fresh_table

QUANTITY = 3000
ACCOUNTS = (
    "document", "-p", "starfleet_account", "-q", QUANTITY, "--seed", SEED,
)  # fmt: skip
SHARDS = ("--shard-size", 1000)


def ids_of(jsonl: Path) -> list[str]:
    return [orjson.loads(line)["id"] for line in jsonl.read_bytes().splitlines()]


def sink_counts(stderr: str) -> list[tuple[int, int, int]]:
    """(sent, acknowledged, failed) of each sink's summary line."""
    found = re.findall(r"sent (\d+), acknowledged (\d+), failed (\d+)", stderr)
    return [(int(s), int(a), int(f)) for s, a, f in found]


def test_every_document_reaches_postgresql_once(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """Three shards upserted by the workers into one table: every id of the
    one-process run exactly once, and the summary counts -q."""
    one = tmp_path / "one.jsonl"
    with fresh_table("postgresql", ensure_service("postgresql"), tmp_path) as table:
        _, spread = generate_together(
            (*ACCOUNTS, "--quiet", "-o", one),
            (*ACCOUNTS, "--sink", table.url(key="id"),
             "--cluster", dask_cluster.address, *SHARDS),
        )  # fmt: skip
        rows = table.rows()
    assert sorted(row["id"] for row in rows) == sorted(ids_of(one))
    assert f"wrote {QUANTITY:,} starfleet_account documents" in spread.stderr
    assert sink_counts(spread.stderr) == [(QUANTITY, QUANTITY, 0)]


def test_every_document_reaches_kafka(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """Each worker its own producer on one topic: every id of the
    one-process run is there, and the summary counts -q."""
    bootstrap = ensure_service("kafka")
    topic = unique_topic("cluster")
    one = tmp_path / "one.jsonl"
    _, spread = generate_together(
        (*ACCOUNTS, "--quiet", "-o", one),
        (*ACCOUNTS, "--sink", f"kafka://{bootstrap}/{topic}",
         "--cluster", dask_cluster.address, *SHARDS),
    )  # fmt: skip
    records = read_topic(bootstrap, topic, QUANTITY)
    assert {orjson.loads(r.value)["id"] for r in records} == set(ids_of(one))
    assert len(records) >= QUANTITY  # at least once
    assert sink_counts(spread.stderr) == [(QUANTITY, QUANTITY, 0)]
