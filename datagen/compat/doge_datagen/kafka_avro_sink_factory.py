"""doge-datagen's KafkaAvroSinkFactory: Avro keys and values in the Confluent
wire format (magic byte 0, 4-byte schema id, Avro body), schemas registered
as TOPIC-key and TOPIC-value, encoded by datagen's Avro encoder."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from datagen.compat.doge_datagen.doge import Transition
from datagen.compat.doge_datagen.kafka_sink_factory import KafkaSink, KafkaSinkFactory
from datagen.errors import ConfigError, SinkError
from datagen.redaction import redact
from datagen.sinks.avro import (
    REGISTRY_TIMEOUT,
    AvroEncoder,
    check_schema,
    register_schema,
)
from datagen.sinks.retry import RetryPolicy, call_with_retries

__all__ = ["AvroSchemaSerializer", "KafkaAvroSinkFactory"]


class AvroSchemaSerializer:
    """A serializer (data, context) -> bytes for one Avro schema, registered
    under `subject` when made (a registry that is starting is waited for)."""

    def __init__(self, registry_url: str, subject: str, schema: str | Any) -> None:
        self.subject = subject
        self.schema = _parse(schema, subject)
        self.schema_id = call_with_retries(
            lambda: register_schema(registry_url, subject, self.schema),
            RetryPolicy(REGISTRY_TIMEOUT, owner=f"{redact(registry_url)} {subject}"),
        )
        self._encoder = AvroEncoder(self.schema, self.schema_id)

    def __call__(self, data: Any, context: Any = None) -> bytes:
        try:
            return self._encoder.encode(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            shown = repr(data)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise SinkError(
                f"{self.subject}: {shown} does not fit the Avro schema: {exc}"
            ) from None


def _parse(schema: str | Any, subject: str) -> Any:
    """The schema from its JSON text (an .avsc file's content) or as parsed."""
    if isinstance(schema, (str, bytes)):
        try:
            schema = orjson.loads(schema)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"avro schema '{subject}' is not JSON: {exc}") from None
    check_schema(schema, subject)
    return schema


class KafkaAvroSinkFactory:
    """KafkaAvroSinkFactory(bootstrap_servers, schema_registry_url, client_id,
    conf=None): create() makes a sink whose keys and values are Avro."""

    def __init__(
        self,
        bootstrap_servers: Iterable[str] | str | None = None,
        schema_registry_url: str | None = None,
        client_id: str | None = None,
        conf: Mapping[str, Any] | None = None,
        buffer_size: int = 100_000,
    ) -> None:
        if not isinstance(schema_registry_url, str) or not schema_registry_url:
            raise ConfigError(
                "KafkaAvroSinkFactory: give schema_registry_url "
                "('http://localhost:8081')"
            )
        self.factory = KafkaSinkFactory(bootstrap_servers, client_id, conf, buffer_size)
        self.schema_registry_url = schema_registry_url

    def create(
        self,
        topic: str,
        key_function: Callable[[Any, Transition], Any],
        key_schema: str | Any,
        value_function: Callable[[int, Any, Transition], Any],
        value_schema: str | Any,
    ) -> KafkaSink:
        """Registers key_schema as TOPIC-key and value_schema as TOPIC-value,
        then connects to the broker; each fails here in one line."""
        self.factory.options(topic)  # a bad topic name before any registration
        url = self.schema_registry_url
        key_serializer = AvroSchemaSerializer(url, f"{topic}-key", key_schema)
        value_serializer = AvroSchemaSerializer(url, f"{topic}-value", value_schema)
        return self.factory.create(
            topic, key_function, value_function, key_serializer, value_serializer
        )
