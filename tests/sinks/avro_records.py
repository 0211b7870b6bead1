"""Reading Avro records back in the Kafka tests: Confluent wire format (magic
byte 0, the schema id, the Avro body) decoded through the schema registry."""

from __future__ import annotations

import struct
from typing import Any

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


class TopicDecoder:
    """Keys and values of one topic, bytes -> dict; each message's header is
    checked against the latest schema registered as TOPIC-key / TOPIC-value
    (`ids`, by "key" and "value")."""

    def __init__(self, registry_url: str, topic: str) -> None:
        client = SchemaRegistryClient({"url": registry_url})
        self.topic = topic
        self.ids = {
            field: client.get_latest_version(f"{topic}-{field}").schema_id
            for field in ("key", "value")
        }
        self._deserialize = AvroDeserializer(client)

    def __call__(self, data: bytes | None, field: str) -> Any:
        """The message's key (field "key") or value ("value") decoded."""
        assert data is not None, f"no {field}"
        assert struct.unpack(">bI", data[:5]) == (0, self.ids[field])
        kind = MessageField.KEY if field == "key" else MessageField.VALUE
        return self._deserialize(data, SerializationContext(self.topic, kind))
