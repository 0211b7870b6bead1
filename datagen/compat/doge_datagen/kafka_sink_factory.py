"""doge-datagen's KafkaSinkFactory on datagen's Kafka sink.

Each sink made by create() is datagen's Kafka sink for its topic (the topic
created if missing, failed deliveries counted, a broker that went away
waited for); the record's key and value are what key_function and
value_function return, turned into bytes by the serializers (UTF-8 strings
unless others are given, as in the original).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from confluent_kafka.serialization import (
    MessageField,
    SerializationContext,
    StringSerializer,
)

from datagen.compat.doge_datagen.doge import EventSink, Transition
from datagen.errors import ConfigError, SinkError, first_line
from datagen.sinks.base import Delivery
from datagen.sinks.kafka import KafkaSink as _DatagenKafkaSink
from datagen.sinks.kafka_config import KafkaOptions, check_settings, parse_kafka_url

__all__ = ["KafkaSink", "KafkaSinkFactory"]

#: (object, SerializationContext) -> bytes, as confluent_kafka's serializers.
Serializer = Callable[[Any, SerializationContext], Any]


class _RecordSink(_DatagenKafkaSink):
    """datagen's Kafka sink sending records whose key and value are bytes
    already: each event is {"key": bytes | None, "value": bytes | None}."""

    def __init__(self, options: KafkaOptions) -> None:
        super().__init__(options)
        self._encode = _value_of

    def _key_of(self, event: dict[str, Any]) -> bytes | None:
        key: bytes | None = event["key"]
        return key


def _value_of(event: dict[str, Any]) -> bytes:
    value: bytes = event["value"]
    return value


class KafkaSink(EventSink):
    """One topic's sink: collect() sends key_function(subject, transition) and
    value_function(timestamp, subject, transition), serialized."""

    def __init__(
        self,
        sink: _RecordSink,
        key_function: Callable[[Any, Transition], Any],
        key_serializer: Serializer,
        value_function: Callable[[int, Any, Transition], Any],
        value_serializer: Serializer,
    ) -> None:
        for name, function in (
            ("key_function", key_function),
            ("value_function", value_function),
            ("key_serializer", key_serializer),
            ("value_serializer", value_serializer),
        ):
            if not callable(function):
                sink.close()
                raise ConfigError(
                    f"KafkaSink '{sink.options.topic}': {name} must be callable, "
                    f"not {function!r}"
                )
        self.sink = sink
        self.topic = sink.options.topic
        self.key_function = key_function
        self.key_serializer = key_serializer
        self.value_function = value_function
        self.value_serializer = value_serializer
        self._key_context = SerializationContext(self.topic, MessageField.KEY)
        self._value_context = SerializationContext(self.topic, MessageField.VALUE)

    def collect(self, timestamp: int, subject: Any, transition: Transition) -> None:
        key = self._serialize(
            self.key_serializer, self.key_function(subject, transition), "key"
        )
        value = self._serialize(
            self.value_serializer,
            self.value_function(timestamp, subject, transition),
            "value",
        )
        self.sink.send({"key": key, "value": value})

    def _serialize(self, serializer: Serializer, data: Any, what: str) -> Any:
        context = self._key_context if what == "key" else self._value_context
        try:
            return serializer(data, context)
        except SinkError:
            raise
        except Exception as exc:  # the serializer's own error, in one line
            shown = repr(data)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise SinkError(
                f"kafka topic '{self.topic}': the {what} {shown} cannot be "
                f"serialized: {type(exc).__name__}: {first_line(exc)}"
            ) from None

    def close(self) -> None:
        """Wait for the broker's answers; SinkError if any record was not
        delivered (the original printed those and went on)."""
        delivery: Delivery = self.sink.close()
        if not delivery.complete:
            raise SinkError(delivery.summary())


def _hosts(bootstrap_servers: Iterable[str] | str | None) -> str:
    if bootstrap_servers is None:
        return ""
    if isinstance(bootstrap_servers, str):
        return bootstrap_servers
    return ",".join(str(host) for host in bootstrap_servers)


def _setting(key: str, value: Any) -> str:
    """A librdkafka setting's value as text; callbacks are datagen's own."""
    if callable(value):
        raise ConfigError(
            f"KafkaSinkFactory: conf['{key}'] is a function; datagen's Kafka sink "
            "sets the client's callbacks itself"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class KafkaSinkFactory:
    """KafkaSinkFactory(bootstrap_servers, client_id, conf=None): makes a sink
    per topic with create(). conf holds librdkafka settings (SASL, SSL...);
    its bootstrap.servers and client.id win over the arguments."""

    def __init__(
        self,
        bootstrap_servers: Iterable[str] | str | None = None,
        client_id: str | None = None,
        conf: Mapping[str, Any] | None = None,
        buffer_size: int = 100_000,
    ) -> None:
        settings: dict[str, str] = {}
        if client_id is not None:
            settings["client.id"] = str(client_id)
        if conf is not None and not isinstance(conf, Mapping):
            raise ConfigError(
                f"KafkaSinkFactory: conf must be a dict of settings, not {conf!r}"
            )
        settings.update((str(k), _setting(str(k), v)) for k, v in (conf or {}).items())
        self.bootstrap = settings.pop("bootstrap.servers", "") or _hosts(
            bootstrap_servers
        )
        if not self.bootstrap:
            raise ConfigError(
                "KafkaSinkFactory: no broker: give bootstrap_servers "
                "(['localhost:9092']) or conf={'bootstrap.servers': ...}"
            )
        check_settings("KafkaSinkFactory", settings)
        self.settings = settings
        #: Kept for the original's signature: datagen's sink sizes its own queue.
        self.buffer_size = buffer_size

    def options(self, topic: str) -> KafkaOptions:
        """The options of datagen's Kafka sink for topic; ConfigError if the
        topic or a broker address is not valid."""
        if not isinstance(topic, str) or not topic or set(topic) & set("/?#%@"):
            raise ConfigError(
                f"KafkaSinkFactory: topic {topic!r} must be 1-249 letters, digits, "
                "'.', '_' or '-'"
            )
        options = parse_kafka_url(f"kafka://{self.bootstrap}/{topic}")
        return replace(options, settings={**options.settings, **self.settings})

    def create(
        self,
        topic: str,
        key_function: Callable[[Any, Transition], Any],
        value_function: Callable[[int, Any, Transition], Any],
        key_serializer: Serializer | None = None,
        value_serializer: Serializer | None = None,
    ) -> KafkaSink:
        """A sink sending to topic (created with one partition if missing);
        connects now, so an unreachable broker fails here in one line."""
        sink = _RecordSink(self.options(topic))
        return KafkaSink(
            sink,
            key_function,
            key_serializer or StringSerializer(),
            value_function,
            value_serializer or StringSerializer(),
        )
