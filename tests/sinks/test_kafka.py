"""The Kafka sink against the shared Tansu broker: JSON, keys, partitions, errors."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import orjson
import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.kafka_config import parse_kafka_url
from datagen.sinks.spec import open_sink
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import partition_count, read_topic, unique_topic
from tests.sinks.schema_registry import RegistryHTTPServer


def _json_values(bootstrap: str, topic: str, expected: int) -> list[dict[str, Any]]:
    return [
        orjson.loads(record.value) for record in read_topic(bootstrap, topic, expected)
    ]


def _equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


def test_json_conformance(kafka_bootstrap: str) -> None:
    topic = unique_topic("conformance")
    events = sample_events(200)
    check_sink_delivers(
        lambda: open_sink(f"kafka://{kafka_bootstrap}/{topic}?key=user_id"),
        lambda: _json_values(kafka_bootstrap, topic, len(events)),
        events,
        compare=_equal,
    )


def test_key_from_field_and_partitions(kafka_bootstrap: str) -> None:
    topic = unique_topic("keys")
    events = sample_events(300)
    with open_sink(
        f"kafka://{kafka_bootstrap}/{topic}?key=user_id&partitions=3"
    ) as sink:
        sink.send_many(events)
    assert partition_count(kafka_bootstrap, topic) == 3
    records = read_topic(kafka_bootstrap, topic, len(events))
    assert len(records) == len(events)
    partitions_of_key = defaultdict(set)
    for record in records:
        assert record.key == orjson.loads(record.value)["user_id"].encode()
        partitions_of_key[record.key].add(record.partition)
    assert all(len(found) == 1 for found in partitions_of_key.values())
    assert len({record.partition for record in records}) > 1


def test_nested_key_and_missing_key(kafka_bootstrap: str) -> None:
    topic = unique_topic("nested-key")
    events = sample_events(10) + [{"id": "no-address"}]
    with open_sink(f"kafka://{kafka_bootstrap}/{topic}?key=address.postcode") as sink:
        sink.send_many(events)
    keys = {
        orjson.loads(record.value)["id"]: record.key
        for record in read_topic(kafka_bootstrap, topic, len(events))
    }
    assert keys["c-00003"] == b"10003"
    assert keys["no-address"] is None


def test_existing_topic_is_used_and_create_0_refuses_a_missing_one(
    kafka_bootstrap: str,
) -> None:
    topic = unique_topic("existing")
    open_sink(f"kafka://{kafka_bootstrap}/{topic}?partitions=2").close()
    with open_sink(f"kafka://{kafka_bootstrap}/{topic}?create=0&partitions=5") as sink:
        sink.send_many(sample_events(5))
    assert partition_count(kafka_bootstrap, topic) == 2
    with pytest.raises(SinkError, match="does not exist"):
        open_sink(f"kafka://{kafka_bootstrap}/{unique_topic('missing')}?create=0")


def test_unreachable_broker_fails_fast_in_one_line() -> None:
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        open_sink("kafka://127.0.0.1:1/events?connect_timeout=2")
    message = str(caught.value)
    assert time.monotonic() - started < 5
    assert "\n" not in message
    assert message.startswith("kafka://127.0.0.1:1/events")
    assert "Connection refused" in message


def test_secrets_never_in_messages(kafka_bootstrap: str) -> None:
    url = (
        "kafka://alice:Sup3rSecret@127.0.0.1:1/events?connect_timeout=1"
        "&registry=http://bob:RegistryPass@127.0.0.1:1&format=avro"
        "&sasl.password=Sup3rSecret"
    )
    with pytest.raises(SinkError) as caught:
        open_sink(url)
    message = str(caught.value)
    assert "Sup3rSecret" not in message and "RegistryPass" not in message
    assert "alice:***@" in message


def test_registry_password_is_not_in_the_sink_name(
    kafka_bootstrap: str, schema_registry: RegistryHTTPServer
) -> None:
    registry = schema_registry.url.replace("//", "//bob:RegistryPass@")
    topic = unique_topic("name")
    sink = open_sink(
        f"kafka://{kafka_bootstrap}/{topic}?format=avro&registry={registry}"
    )
    sink.send_many(sample_events(3))
    summary = sink.close().summary()
    assert "RegistryPass" not in summary and "bob:***@" in summary
    assert "acknowledged 3" in summary


@pytest.mark.parametrize(
    "url, message",
    [
        ("kafka://127.0.0.1:9092/", "topic '' must be"),
        ("kafka://127.0.0.1:9092/a b", "topic 'a b' must be"),
        ("kafka://127.0.0.1:9092/t?format=xml", "format must be json or avro"),
        ("kafka://127.0.0.1:9092/t?partitions=0", "partitions and replication"),
        ("kafka://127.0.0.1:9092/t?timeout=soon", "timeout must be a number"),
        ("kafka://127.0.0.1:9092/t?colour=red", "unknown option 'colour'"),
        ("kafka://127.0.0.1:9092/t?format=avro", "format=avro needs registry"),
        ("kafka://127.0.0.1:9092/t?schema=x.avsc", "schema= is for format=avro"),
    ],
)
def test_bad_urls_name_the_problem(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAGEN_SCHEMA_REGISTRY_URL", raising=False)
    with pytest.raises(ConfigError, match=message):
        open_sink(url)


def test_settings_come_from_environment_and_url() -> None:
    options = parse_kafka_url(
        "kafka:///orders?linger.ms=5",
        environ={
            "DATAGEN_KAFKA_BOOTSTRAP": "broker-1:9093,broker-2:9093",
            "DATAGEN_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "DATAGEN_KAFKA_SASL_PASSWORD": "from-env",
        },
    )
    assert options.bootstrap == "broker-1:9093,broker-2:9093"
    assert options.settings == {
        "security.protocol": "SASL_SSL",
        "sasl.password": "from-env",
        "linger.ms": "5",
    }
    assert parse_kafka_url("kafka://h:9092/t?retry_seconds=7", {}).timeout == 7
    assert parse_kafka_url("kafka://h:9092/t?debug=all", {}).settings == {
        "debug": "all"
    }
    with_user = parse_kafka_url("kafka://me:p%40ss@h:9092/t", environ={})
    assert with_user.settings["sasl.username"] == "me"
    assert with_user.settings["sasl.password"] == "p@ss"
    assert with_user.settings["security.protocol"] == "SASL_PLAINTEXT"


def test_sending_after_close_is_an_error(kafka_bootstrap: str) -> None:
    sink = open_sink(f"kafka://{kafka_bootstrap}/{unique_topic('closed')}")
    sink.send(sample_events(1)[0])
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged) == (1, 1)
    assert sink.close() is delivery
    with pytest.raises(SinkError, match="closed"):
        sink.send(sample_events(1)[0])
