"""A faulted run into a real Kafka topic: the manifest's indexes are the
messages' positions in the topic (one partition), read back."""

from __future__ import annotations

import json

import pytest

from tests.faults.reader import read_lines, read_manifest
from tests.faults.test_cli_faults import datagen
from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic, unique_topic


@pytest.fixture(scope="module")
def kafka_bootstrap() -> str:
    return ensure_service("kafka")


def test_the_manifest_indexes_are_the_topics_sequence_numbers(
    kafka_bootstrap, tmp_path
):
    topic = unique_topic("faults")
    out, faults = tmp_path / "web.jsonl", tmp_path / "faults.jsonl"
    done = datagen(
        "simulate", "web", "--count", 3000, "--seed", 5, "-o", out,
        "--sink", f"kafka://{kafka_bootstrap}/{topic}?key=marketing_click_id",
        "--faults", "null=0.02,duplicate=0.02,malformed=0.02,late=0.02,"
        "out_of_order=0.02,wrong_type=0.02",
        "--faults-manifest", faults, "--manifest", tmp_path / "run.json",
    )  # fmt: skip
    lines, entries = read_lines(out), read_manifest(faults)
    messages = read_topic(kafka_bootstrap, topic, len(lines))
    assert (
        len(messages)
        == len(lines)
        == 3000 + sum(1 for entry in entries if entry["fault"] == "duplicate")
    )
    listed = {entry["index"]: entry for entry in entries}
    assert {entry["fault"] for entry in entries} == {
        "null", "duplicate", "malformed", "late", "out_of_order", "wrong_type"
    }  # fmt: skip
    shape = set(json.loads(lines[0]))
    for at, (line, message) in enumerate(zip(lines, messages)):
        entry = listed.get(at)
        assert message.value == line  # the same record, the same bytes
        if entry is not None and entry["fault"] == "malformed":
            with pytest.raises(ValueError):  # broken JSON, as in the file
                json.loads(message.value)
            assert message.key == str(entry["key"]).encode()
            continue
        value = json.loads(message.value)
        assert message.key == value["marketing_click_id"].encode()
        assert set(value) == shape
        if entry is None:
            continue
        if entry["fault"] == "null":
            assert value[entry["field"]] is None
        elif entry["fault"] == "duplicate":
            assert message.value == messages[entry["original"]].value
        elif entry["fault"] == "late":
            assert value["event_timestamp"] < entry["original"]
    record = json.loads((tmp_path / "run.json").read_text())
    sinks = {sink["name"]: sink for sink in record["sinks"]}
    kafka = next(sink for name, sink in sinks.items() if name.startswith("kafka"))
    assert kafka["acknowledged"] == kafka["sent"] == len(lines) and kafka["failed"] == 0
    assert kafka["stream"] == "web"
    assert "faults:" in done.stderr
