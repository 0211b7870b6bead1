"""Avro values: schemas derived or loaded, the wire format, and Kafka+registry end
to end, every message decoded independently with fastavro."""

from __future__ import annotations

import io
import json
import struct
import time
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from datagen.errors import ConfigError, SinkError
from datagen.sinks.avro import AvroEncoder, derive_schema, load_schema
from datagen.sinks.spec import open_sink
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import read_topic, unique_topic
from tests.sinks.schema_registry import RegistryHTTPServer


def _decode_all(
    values: list[bytes], registry_url: str
) -> tuple[list[dict[str, Any]], set[int]]:
    """Each value decoded on its own: header, schema fetched by id, fastavro body."""
    client = SchemaRegistryClient({"url": registry_url})
    decoded, ids = [], set()
    for value in values:
        magic, schema_id = struct.unpack(">bI", value[:5])
        assert magic == 0
        schema = fastavro.parse_schema(
            json.loads(client.get_schema(schema_id).schema_str)
        )
        decoded.append(fastavro.schemaless_reader(io.BytesIO(value[5:]), schema))
        ids.add(schema_id)
    return decoded, ids


def _equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


# Schemas


def test_derived_schema_fits_every_event_and_marks_optional_fields() -> None:
    events = [
        {"id": "a", "n": 1, "address": {"city": "X"}, "tags": [], "note": None},
        {"id": "b", "n": 2.5, "address": {"city": "Y", "zip": "1"}, "tags": ["t"]},
    ]
    schema = derive_schema(events, name="orders-v1")
    fields = {field["name"]: field for field in schema["fields"]}
    assert schema["name"] == "orders_v1" and schema["namespace"] == "datagen"
    assert fields["id"]["type"] == "string"
    assert fields["n"]["type"] == "double"
    assert fields["note"] == {
        "name": "note",
        "type": ["null", "string"],
        "default": None,
    }
    address = fields["address"]["type"]
    assert [f["name"] for f in address["fields"]] == ["city", "zip"]
    assert address["fields"][1]["type"] == ["null", "string"]
    assert fields["tags"]["type"] == {"type": "array", "items": "string"}
    encoder = AvroEncoder(schema, 3)
    parsed = fastavro.parse_schema(schema)
    for event in events:
        body = encoder.encode(event)
        assert body[:5] == b"\x00\x00\x00\x00\x03"
        back = fastavro.schemaless_reader(io.BytesIO(body[5:]), parsed)
        assert back["id"] == event["id"] and back["address"] == {
            "zip": None,
            **event["address"],
        }


@pytest.mark.parametrize(
    "events, message",
    [
        ([{"bad-name": 1}], "field 'bad-name' is not a valid Avro name"),
        ([{"when": object()}], "field 'when' holds a object"),
        ([], "no events"),
    ],
)
def test_underivable_events_name_the_field(
    events: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        derive_schema(events)


def test_event_that_does_not_fit_raises_value_error() -> None:
    encoder = AvroEncoder(derive_schema([{"id": "a", "n": 1}]), 1)
    with pytest.raises(ValueError, match="n"):
        encoder.encode({"id": "b", "n": "many"})


def test_load_schema_names_the_bad_file(tmp_path: Path) -> None:
    good = tmp_path / "good.avsc"
    good.write_text(json.dumps(derive_schema([{"id": "x"}])))
    assert load_schema(good)["fields"] == [{"name": "id", "type": "string"}]
    (tmp_path / "broken.avsc").write_text("{not json")
    (tmp_path / "invalid.avsc").write_text(
        '{"type": "record", "name": "x", "fields": [{"name": "a", "type": "nope"}]}'
    )
    for name, message in [
        ("missing.avsc", "missing.avsc"),
        ("broken.avsc", "broken.avsc' is not JSON"),
        ("invalid.avsc", "invalid.avsc' is not valid"),
    ]:
        with pytest.raises(ConfigError, match=message):
            load_schema(tmp_path / name)


# The registry test server, driven by confluent-kafka's client


def test_registry_server_speaks_the_confluent_api(
    schema_registry: RegistryHTTPServer,
) -> None:
    client = SchemaRegistryClient({"url": schema_registry.url})
    subject = unique_topic("api") + "-value"
    text = json.dumps(derive_schema([{"id": "x"}]))
    first = client.register_schema(subject, Schema(text, "AVRO"))
    assert (
        SchemaRegistryClient({"url": schema_registry.url}).register_schema(
            subject, Schema(text, "AVRO")
        )
        == first
    )
    other = json.dumps(derive_schema([{"id": "x", "n": 1}]))
    second = client.register_schema(subject, Schema(other, "AVRO"))
    assert second != first
    latest = client.get_latest_version(subject)
    assert (latest.version, latest.schema_id) == (2, second)
    assert subject in client.get_subjects()
    fresh = SchemaRegistryClient({"url": schema_registry.url})
    assert json.loads(fresh.get_schema(first).schema_str) == json.loads(text)
    with pytest.raises(SchemaRegistryError) as unknown:
        fresh.get_schema(99999)
    assert unknown.value.http_status_code == 404
    with pytest.raises(SchemaRegistryError) as invalid:
        client.register_schema(subject, Schema('{"type": "nope"}', "AVRO"))
    assert invalid.value.http_status_code == 422


# Kafka with Avro values


def test_avro_conformance_decoded_with_fastavro(
    kafka_bootstrap: str, schema_registry: RegistryHTTPServer
) -> None:
    topic = unique_topic("avro")
    events = sample_events(150, tag="avro")
    registry = schema_registry.url
    schema_ids: set[int] = set()

    def read_back() -> list[dict[str, Any]]:
        records = read_topic(kafka_bootstrap, topic, len(events))
        decoded, ids = _decode_all([record.value for record in records], registry)
        schema_ids.update(ids)
        return decoded

    check_sink_delivers(
        lambda: open_sink(
            f"kafka://{kafka_bootstrap}/{topic}?format=avro&key=user_id"
            f"&registry={registry}"
        ),
        read_back,
        events,
        compare=_equal,
    )
    assert len(schema_ids) == 1
    client = SchemaRegistryClient({"url": registry})
    registered = client.get_latest_version(f"{topic}-value")
    assert registered.schema_id in schema_ids


def test_avro_schema_from_avsc_file(
    kafka_bootstrap: str, schema_registry: RegistryHTTPServer, tmp_path: Path
) -> None:
    schema = {
        "type": "record",
        "name": "Account",
        "namespace": "bank",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "amount", "type": "double"},
            {"name": "currency", "type": "string", "default": "EUR"},
        ],
    }
    path = tmp_path / "account.avsc"
    path.write_text(json.dumps(schema))
    topic = unique_topic("avsc")
    events = [{"id": f"acc-{index}", "amount": index * 2.5} for index in range(40)]
    spec = (
        f"kafka://{kafka_bootstrap}/{topic}?format=avro&schema={path}"
        f"&registry={schema_registry.url}"
    )
    with open_sink(spec) as sink:
        sink.send_many(events)
    assert sink.delivery.acknowledged == len(events)
    records = read_topic(kafka_bootstrap, topic, len(events))
    decoded, ids = _decode_all(
        [record.value for record in records], schema_registry.url
    )
    client = SchemaRegistryClient({"url": schema_registry.url})
    assert json.loads(client.get_schema(ids.pop()).schema_str) == schema
    assert sorted(decoded, key=lambda row: row["id"]) == sorted(
        ({**event, "currency": "EUR"} for event in events), key=lambda row: row["id"]
    )


def test_event_outside_the_avsc_schema_is_one_line_naming_it(
    kafka_bootstrap: str, schema_registry: RegistryHTTPServer, tmp_path: Path
) -> None:
    path = tmp_path / "strict.avsc"
    path.write_text(json.dumps(derive_schema([{"id": "x", "n": 1}], name="Strict")))
    spec = (
        f"kafka://{kafka_bootstrap}/{unique_topic('strict')}?format=avro"
        f"&schema={path}&registry={schema_registry.url}"
    )
    sink = open_sink(spec)
    with pytest.raises(SinkError, match="event 'bad-1' does not fit the Avro schema"):
        sink.send_many([{"id": "ok-1", "n": 1}, {"id": "bad-1", "n": "lots"}])
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (2, 1, 1)


def test_unreachable_registry_fails_at_start(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.avsc"
    path.write_text(json.dumps(derive_schema([{"id": "x"}])))
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        open_sink(
            f"kafka://{kafka_bootstrap}/{unique_topic('noreg')}?format=avro"
            f"&schema={path}&registry=http://reg:Pw123456@127.0.0.1:1&connect_timeout=1"
        )
    message = str(caught.value)
    assert time.monotonic() - started < 10
    assert "schema registry http://reg:***@127.0.0.1:1 did not answer" in message
    assert "Pw123456" not in message and "\n" not in message
