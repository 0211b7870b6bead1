"""A CDC run into real sinks ends as the ground truth says: a PostgreSQL,
MariaDB or SQLite table row for row; a Kafka topic once compacted (last value
per key, tombstones dropping theirs). Flat events and the Debezium envelope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from datagen.runs.truth import GroundTruth
from tests.sinks.kafka_topics import read_topic, unique_topic
from tests.sinks.sql_helpers import Database, fresh_table, table_for

KEY = "customer_id"
RUN = ("simulate", "customers_cdc", "--duration", "6h", "--seed", "29")
Records = list[dict[str, Any]]


def config(tmp_path: Path, envelope: str) -> tuple[str | Path, ...]:
    """--config for the envelope ("flat": none)."""
    if envelope == "flat":
        return ()
    path = tmp_path / "cdc.yml"
    path.write_text(f"envelope: {envelope}\n")
    return ("--config", path)


def truth_of(path: Path, tmp_path: Path, key: str = KEY) -> Records:
    """The ground truth of the events a run wrote to path."""
    truth = GroundTruth(tmp_path / "truth", "customers", key)
    truth.observe(orjson.loads(line) for line in path.read_bytes().splitlines())
    records = truth.records()
    assert records, "the run left no live customer"
    return records


@pytest.fixture(
    params=[
        ("postgresql", "flat"),
        ("postgresql", "debezium"),
        ("mariadb", "flat"),
        ("sqlite", "debezium"),
    ],
    ids=["postgresql", "postgresql-envelope", "mariadb", "sqlite-envelope"],
)
def table(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, str]]:
    kind, envelope = request.param
    with table_for(request, kind, tmp_path) as database:
        yield database, envelope


def test_a_table_equals_the_ground_truth(
    invoke: Callable[..., Any], tmp_path: Path, table: tuple[Database, str]
) -> None:
    database, envelope = table
    events = tmp_path / "events.jsonl"
    url = database.url(key=KEY)
    invoke(*RUN, *config(tmp_path, envelope), "-o", events, "--sink", url)
    expected = truth_of(events, tmp_path)
    rows = sorted(database.rows(), key=lambda row: row[KEY])
    assert rows == expected
    assert events.read_bytes().count(b'"op":"d"') > 5  # some were deleted


@pytest.mark.parametrize("envelope", ["flat", "debezium"])
def test_a_compacted_topic_equals_the_ground_truth(
    invoke: Callable[..., Any], tmp_path: Path, kafka_bootstrap: str, envelope: str
) -> None:
    topic = unique_topic(f"customers-cdc-{envelope}")
    events = tmp_path / "events.jsonl"
    url = f"kafka://{kafka_bootstrap}/{topic}?key={KEY}&partitions=2"
    invoke(*RUN, *config(tmp_path, envelope), "-o", events, "--sink", url)
    written = events.read_bytes()
    deletes = written.count(b'"op":"d"')
    # an envelope's delete is the envelope, then the tombstone
    sent = written.count(b"\n") + (deletes if envelope != "flat" else 0)
    records = read_topic(kafka_bootstrap, topic, sent)
    assert len(records) == sent
    last: dict[bytes | None, Any] = {}
    for record in records:
        value = None if record.value is None else orjson.loads(record.value)
        last[record.key] = value["after"] if value and envelope != "flat" else value
    compacted = sorted(
        (v for v in last.values() if v is not None), key=lambda v: v[KEY]
    )
    assert compacted == truth_of(events, tmp_path)
    assert sum(record.value is None for record in records) == deletes


DECLARED = """\
provider: {name}
kind: simulation
model: cdc
actors: 40
duration: 4h
key: account_id
envelope: {envelope}
fields:
  account_id: {{gen: sequence, start: 1}}
  owner: {{gen: person.full_name}}
  plan: {{gen: choice, values: [free, pro, team]}}
  city: {{gen: address.city}}
  street: {{gen: address.street_name}}
changes:
  update_every: 15m
  delete_after: 2h
  fields: [plan, [city, street]]
"""


@pytest.mark.usefixtures("isolated_declarations")
@pytest.mark.parametrize("envelope", ["flat", "debezium"])
def test_a_declared_cdc_model(
    invoke: Callable[..., Any], tmp_path: Path, envelope: str
) -> None:
    name = f"accounts_cdc_{envelope}"
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "accounts.yaml").write_text(DECLARED.format(name=name, envelope=envelope))
    outputs = []
    with fresh_table("sqlite", None, tmp_path) as database:
        for workers in (1, 2):
            events = tmp_path / f"w{workers}.jsonl"
            sink = ("--sink", database.url(key="account_id")) if workers == 1 else ()
            invoke(
                "simulate",
                "--providers-dir",
                folder,
                name,
                "--seed",
                "3",
                "--workers",
                workers,
                "-o",
                events,
                *sink,
            )
            outputs.append(events.read_bytes())
        assert outputs[0] == outputs[1]
        expected = truth_of(tmp_path / "w1.jsonl", tmp_path, "account_id")
        assert sorted(database.rows(), key=lambda row: row["account_id"]) == expected
    ops = [orjson.loads(line)["op"] for line in outputs[0].splitlines()]
    assert {"c", "u", "d"} <= set(ops)


def test_truth_option_matches_the_table_whatever_workers(
    invoke: Callable[..., Any], tmp_path: Path, postgresql_address: str
) -> None:
    written = []
    for workers in (1, 2):
        with fresh_table("postgresql", postgresql_address, tmp_path) as database:
            folder = tmp_path / f"truth{workers}"
            url = database.url(key=KEY)
            invoke(*RUN, "--workers", workers, "--truth", folder, "--sink", url)
            truth = folder / "customers_cdc.jsonl"
            expected = [orjson.loads(line) for line in truth.read_bytes().splitlines()]
            assert sorted(database.rows(), key=lambda row: row[KEY]) == expected
            written.append(truth.read_bytes())
    assert written[0] == written[1]
