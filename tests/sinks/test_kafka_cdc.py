"""The Kafka sink sends change events so a compacted topic ends in the table's
state: records keyed by the key, tombstones (no value) for deletes; an
envelope as it is, a delete's followed by a tombstone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from datagen.errors import ConfigError
from datagen.sinks.kafka_config import parse_kafka_url
from datagen.sinks.spec import open_sink
from tests.sinks.cdc_events import BATCHES, Event, as_envelopes, truth_of
from tests.sinks.kafka_topics import Record, read_topic, unique_topic


def send(url: str, batches: list[list[Event]]) -> Any:
    sink = open_sink(url)
    with sink:
        for events in batches:
            sink.send_many(events)
    return sink


def compacted(records: list[Record], envelope: bool) -> list[Event]:
    """What compaction leaves: each key's last value, none after a tombstone
    (an envelope read as its `after` image)."""
    last: dict[bytes | None, Event | None] = {}
    for record in records:
        value = None if record.value is None else orjson.loads(record.value)
        last[record.key] = value["after"] if envelope and value else value
    return sorted(
        (value for value in last.values() if value is not None),
        key=lambda value: value["id"],
    )


@pytest.mark.parametrize("shape", ["flat", "envelope"])
def test_a_compacted_topic_equals_the_ground_truth(
    kafka_bootstrap: str, tmp_path: Path, shape: str
) -> None:
    envelope = shape == "envelope"
    batches = as_envelopes(BATCHES) if envelope else BATCHES
    topic = unique_topic(f"cdc-{shape}")
    sink = send(f"kafka://{kafka_bootstrap}/{topic}?key=id&partitions=3", batches)
    deletes = sum(event["op"] == "d" for batch in batches for event in batch)
    messages = 10 + (deletes if envelope else 0)  # an envelope's delete: two
    assert sink.changes is True
    assert (sink.delivery.sent, sink.delivery.acknowledged) == (messages, messages)
    records = read_topic(kafka_bootstrap, topic, messages)
    assert len(records) == messages
    tombstones = [record for record in records if record.value is None]
    assert sorted(record.key for record in tombstones) == [b"1", b"2", b"9"]
    if not envelope:
        assert all(b'"op"' not in (record.value or b"") for record in records)
    assert compacted(records, envelope) == truth_of(batches, tmp_path, "id")


def test_cdc_false_sends_the_events_as_they_are(kafka_bootstrap: str) -> None:
    topic = unique_topic("cdc-off")
    sink = send(f"kafka://{kafka_bootstrap}/{topic}?key=id&cdc=false", BATCHES)
    assert sink.changes is False
    records = read_topic(kafka_bootstrap, topic, 10)
    assert [orjson.loads(record.value) for record in records] == [
        event for batch in BATCHES for event in batch
    ]


def test_cdc_true_needs_a_key() -> None:
    with pytest.raises(ConfigError, match="cdc=true needs key=FIELD"):
        parse_kafka_url("kafka://127.0.0.1:9092/t?cdc=true")


def test_a_malformed_change_is_its_broken_line(kafka_bootstrap: str, tmp_path: Path):
    """A change event a `malformed` fault broke goes as the broken line the
    file has, never as valid JSON; every other message is the file's record
    (a delete: a tombstone)."""
    topic = unique_topic("cdc_malformed")
    out, faults = tmp_path / "changes.jsonl", tmp_path / "faults.jsonl"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            *(sys.executable, root / "generate.py", "simulate", "customers_cdc"),
            *("--count", "400", "--seed", "4", "-o", out, "--quiet"),
            *("--faults", "malformed=0.05", "--faults-manifest", faults),
            *("--sink", f"kafka://{kafka_bootstrap}/{topic}?key=customer_id"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = out.read_bytes().split(b"\n")[:-1]
    broken = {
        orjson.loads(line)["index"]
        for line in faults.read_bytes().splitlines()
        if orjson.loads(line)["fault"] == "malformed"
    }
    assert broken and len(lines) == 400
    messages = read_topic(kafka_bootstrap, topic, 400)
    assert len(messages) == 400
    for index, (line, message) in enumerate(zip(lines, messages)):
        if index in broken:
            assert message.value == line
            with pytest.raises(ValueError):
                orjson.loads(message.value)
        elif message.value is None:  # a delete's tombstone
            assert orjson.loads(line)["op"] == "d"
        else:
            record = orjson.loads(line)
            assert orjson.loads(message.value) == {
                k: v for k, v in record.items() if k != "op"
            }
