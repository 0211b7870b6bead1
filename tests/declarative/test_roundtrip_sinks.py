"""A declared provider through real sinks: Kafka and PostgreSQL get exactly
what the same run writes to a JSON-lines file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen.encoders import flatten
from tests.processes import run_generate
from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic, unique_topic
from tests.sinks.sql_helpers import as_json, fresh_table

DECLARATION = """\
provider: roundtrip_order
description: An order for the sink round trips.
fields:
  id: {gen: uuid}
  n: {gen: sequence}
  email: {gen: person.email}
  total: {gen: float, min: 1, max: 500, decimals: 2}
  paid: {gen: boolean, probability: 0.7}
  address:
    city: {gen: address.city}
  tags: {gen: list, items: [0, 3], of: {gen: text.word}}
"""
COUNT = 200


@pytest.fixture
def providers(tmp_path: Path) -> Path:
    folder = tmp_path / "declared"
    folder.mkdir()
    (folder / "order.yaml").write_text(DECLARATION)
    return folder


def declared_run(providers: Path, *more: object) -> None:
    """`document -p roundtrip_order -q COUNT --seed 5` from the declared
    folder, with `more` options; asserts it succeeds."""
    result = run_generate(
        "document",
        *("--providers-dir", providers, "-p", "roundtrip_order"),
        *("-q", COUNT, "--seed", "5", "--quiet"),
        *more,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def expected(providers: Path, tmp_path: Path) -> list[dict]:
    out = tmp_path / "expected.jsonl"
    declared_run(providers, "-o", out)
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_kafka_gets_the_declared_documents(providers, tmp_path):
    bootstrap = ensure_service("kafka")
    topic = unique_topic("declared")
    declared_run(providers, "--workers", "2", "--sink", f"kafka://{bootstrap}/{topic}")
    records = read_topic(bootstrap, topic, COUNT)
    received = sorted((json.loads(r.value) for r in records), key=lambda d: d["n"])
    assert received == expected(providers, tmp_path)


def test_postgresql_gets_the_declared_documents(providers, tmp_path):
    address = ensure_service("postgresql")
    with fresh_table("postgresql", address, tmp_path) as database:
        declared_run(providers, "--sink", database.url())
        rows = sorted(database.rows(), key=lambda row: row["n"])
    want = expected(providers, tmp_path)
    assert len(rows) == len(want)
    assert set(rows[0]) >= {"id", "email", "total", "paid", "tags"}, rows[0]
    for row, document in zip(rows, want):
        flat = flatten(document)  # nested objects: a column per leaf
        for key, value in flat.items():
            column = next(c for c in (key, key.replace(".", "_")) if c in row)
            got = as_json(row[column]) if isinstance(value, list) else row[column]
            assert (float(got) if key == "total" else got) == value, key
