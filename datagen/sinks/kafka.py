"""The Kafka sink: JSON or Avro values keyed by a field, every delivery report counted.

`kafka://127.0.0.1:9092/TOPIC?key=user_id&format=json|avro&partitions=3` (all
options: datagen/sinks/kafka_config.py and docs/sinks-streaming.md). The producer
is idempotent and reports only failed deliveries: acknowledged is what was sent,
less what failed, less what is still on its way. A producer that hits a fatal
error, or whose broker came back without its state (the topic gone, the
producer id unknown), is replaced and what it gave back is sent again. An event
that waited `timeout` seconds is failed. An event counts as sent once the
producer has it; give_up() (a second Ctrl-C) counts those with no report yet as
unknown, never as acknowledged.

A keyed sink given change events (`op` c/r/u/d; `cdc=auto|true|false`) keeps
a compacted topic in the table's state: a flat change's value is its record
(less `op`), a delete is a tombstone (no value, the key); an envelope is sent
as it is, keyed by its image's key, and a delete's is followed by a tombstone.

It is long because counting every delivery report and replacing a producer
without losing or double-counting events are one state machine; the options
and librdkafka settings live in kafka_config.py.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from datagen.encoders import MalformedRecord, field_bytes, get_dotted, json_message
from datagen.errors import SinkError
from datagen.redaction import redact, scrub
from datagen.sinks.avro import (
    AvroEncoder,
    derive_schema,
    load_schema,
    record_name,
    register_schema,
)
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.changes import DELETE_OP, change_of, is_envelope, reads_changes
from datagen.sinks.kafka_config import (
    ClientLog,
    KafkaOptions,
    admin_settings,
    parse_kafka_url,
    producer_settings,
)
from datagen.sinks.retry import RetryPolicy, call_with_retries
from datagen.sinks.spec import register_sink

log = logging.getLogger(__name__)

#: Report codes after which the producer is replaced and the event sent again.
_REPLACE_CODES = {
    KafkaError._FATAL,
    KafkaError.UNKNOWN_PRODUCER_ID,
    KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
    KafkaError.INVALID_PRODUCER_EPOCH,
}
#: Reports for events we purged ourselves while replacing the producer.
_PURGED_CODES = {KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT}
#: librdkafka's "(after 0ms in state CONNECT)", noise in a user's message.
_AFTER = re.compile(r" \(after \d+ms in state \w+\)")
#: How often a broker that went away is asked whether it is back.
_PROBE_SECONDS = 1.0


@register_sink
class KafkaSink(BaseSink):
    """Events to one Kafka topic; close() returns what was acknowledged."""

    name = "kafka"
    schemes = ("kafka",)
    Options = KafkaOptions

    def __init__(
        self,
        options: KafkaOptions,
        url: str | None = None,
        avro_schema: dict[str, Any] | None = None,
    ) -> None:
        self.options = options
        self.url = url or f"kafka://{options.bootstrap}/{options.topic}"
        self._secrets = options.secrets()
        super().__init__()
        #: (key, value) of events the old producer gave back, to send again.
        self._resend: list[tuple[bytes | None, bytes | None]] = []
        self._trouble_since: float | None = None
        self._acknowledged_then = 0
        self._replace = False
        self._closing = False
        self._brokers_down = False
        self._last_probe = 0.0
        self._last_error = ""
        self._broken: SinkError | None = None
        self._closed = False
        self._key_path = tuple(options.key.split(".")) if options.key else ()
        #: Whether the stream is sent as changes: decided by its first event.
        self.changes: bool | None = None
        self._retry = RetryPolicy(options.timeout, owner=self.describe())
        self._avro_schema = avro_schema
        self._encode: Callable[[dict[str, Any]], bytes] | None = None
        if options.format == "json":
            self._encode = json_message
        elif options.schema and avro_schema is None:
            self._avro_schema = load_schema(options.schema)
        # The producer first: it spends its first half second getting a
        # producer id, meanwhile the topic and the schema are seen to.
        self._producer = Producer(self._settings())
        self._admin = AdminClient(self._settings(admin=True))
        try:
            self._ensure_topic(at_start=True)
            if self._avro_schema is not None:
                self._start_avro(self._avro_schema)
        except BaseException:
            self._closed = True
            raise

    @classmethod
    def from_url(cls, url: str) -> KafkaSink:
        return cls(parse_kafka_url(url), url)

    def describe(self) -> str:
        return self._scrub(redact(self.url))

    # Sending

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if self._closed:
            raise SinkError(f"{self.describe()}: the sink is closed")
        if self._broken is not None:
            self.delivery.sent += len(events)
            self.delivery.failed += len(events)
            raise self._broken
        if self.changes is None and events:
            keyed = bool(self._key_path)
            self.changes = reads_changes(self.options.cdc, keyed, events[0])
        messages = self._changes(events) if self.changes else None
        if self._encode is None:
            values = (
                events
                if messages is None
                else [value for value, _ in messages if value is not None]
            )
            if values:
                self._start_avro(self._derived_schema(values))
        encode, produce = self._encode, self._produce
        delivery = self.delivery
        pairs = zip(events, map(self._key_of, events)) if messages is None else messages
        for event, key in pairs:
            value = None
            if event is not None:
                assert encode is not None
                try:
                    value = encode(event)
                except ValueError as exc:
                    delivery.sent += 1
                    delivery.failed += 1
                    raise SinkError(
                        f"{self.describe()}: event {event.get('id')!r} does not "
                        f"fit the Avro schema: {exc}"
                    ) from None
            # Counted once the producer has it, not before: an event cut
            # short by an interruption was never sent, so never acknowledged.
            produce(value, key)
            delivery.sent += 1
        self._producer.poll(0)
        self._maintain()
        self._count()

    def _changes(
        self, events: Sequence[dict[str, Any]]
    ) -> list[tuple[dict[str, Any] | None, bytes | None]]:
        """(value, key) of each message the changes make: a record or an
        envelope to encode, or None for a tombstone."""
        messages: list[tuple[dict[str, Any] | None, bytes | None]] = []
        for event in events:
            op, record = change_of(event, SinkError)
            key = self._key_of(record)
            if key is None:
                raise SinkError(
                    f"{self.describe()}: a change has no key field '{self.options.key}'"
                )
            if type(event) is MalformedRecord:  # its broken line, as in a file
                messages.append((event, key))
            elif is_envelope(event):
                messages.append((event, key))
                if op == DELETE_OP:
                    messages.append((None, key))
            else:
                messages.append((None if op == DELETE_OP else record, key))
        return messages

    def _key_of(self, event: dict[str, Any]) -> bytes | None:
        if not self._key_path:
            return None
        value = get_dotted(event, self._key_path)
        if value is None:
            return None
        return field_bytes(value)

    def _produce(self, value: bytes | None, key: bytes | None) -> None:
        """Hand one message to the producer, waiting while its queue is full."""
        while True:
            try:
                self._producer.produce(self.options.topic, value, key)
                return
            except BufferError:
                self._producer.poll(0.1)
            except KafkaException as exc:  # the producer is in a fatal state
                self._note_error(exc.args[0])
                self._replace = True
            self._maintain()

    def _on_delivery(self, error: KafkaError, message: Any) -> None:
        """A failed delivery (successes are not reported, for speed: they are
        what was sent less what failed and what is still on its way)."""
        code = error.code()
        if self._closing:
            self.delivery.failed += 1
        elif code in _PURGED_CODES or error.fatal() or code in _REPLACE_CODES:
            self._resend.append((message.key(), message.value()))
            if code not in _PURGED_CODES:
                self._note_error(error)
                self._replace = True
        else:
            self.delivery.failed += 1
            self._note_error(error)
            if code == KafkaError._MSG_TIMED_OUT:
                self._broken = SinkError(
                    f"{self.describe()}: gave up after {self.options.timeout:g} s: "
                    f"{self._last_error}"
                )

    def _count(self) -> None:
        """acknowledged: sent, less failed, less what is still on its way."""
        pending = len(self._producer) + len(self._resend)
        delivery = self.delivery
        delivery.acknowledged = delivery.sent - delivery.failed - pending
        if (
            self._trouble_since is not None
            and delivery.acknowledged > self._acknowledged_then
        ):
            self._trouble_since = None  # the new producer is getting through

    def _on_error(self, error: KafkaError) -> None:
        self._note_error(error)
        if error.fatal():
            self._replace = True
        elif error.code() == KafkaError._ALL_BROKERS_DOWN:
            self._brokers_down = True

    def _note_error(self, error: KafkaError) -> None:
        text = _AFTER.sub("", error.str().split("/bootstrap: ", 1)[-1])
        self._last_error = self._scrub(text)
        log.info("%s: %s", self.describe(), self._last_error)

    # Keeping the producer healthy

    def _maintain(self) -> None:
        """Re-create the topic and the producer when the broker lost them."""
        if self._brokers_down and time.monotonic() - self._last_probe > _PROBE_SECONDS:
            try:
                created = self._ensure_topic()
            except SinkError:
                return  # still away; librdkafka keeps retrying meanwhile
            finally:
                self._last_probe = time.monotonic()
            self._brokers_down = False
            self._replace = self._replace or created
        if self._replace:
            self._replace_producer()

    def _replace_producer(self) -> None:
        """Purge the old producer, start a new one, send the unacknowledged again;
        after `timeout` seconds of replacing without getting through, count
        them failed instead."""
        self._replace = False
        old = self._producer
        old.purge(in_queue=True, in_flight=False)
        old.flush(1.0)  # requests on the wire may still be acknowledged
        old.purge(in_queue=True, in_flight=True)
        old.flush(1.0)  # their reports put the rest in _resend
        self._count()
        now = time.monotonic()
        if self._trouble_since is None:
            self._trouble_since = now
            self._acknowledged_then = self.delivery.acknowledged
        log.warning(
            "%s: re-creating the producer (%s); re-sending %d events",
            self.describe(),
            self._last_error,
            len(self._resend),
        )
        call_with_retries(self._ensure_topic, self._retry)
        self._producer = Producer(self._settings())
        resend, self._resend = self._resend, []
        if now - self._trouble_since > self.options.timeout:
            self.delivery.failed += len(resend)
            self._broken = SinkError(
                f"{self.describe()}: gave up after {self.options.timeout:g} s of "
                f"re-creating the producer: {self._last_error}"
            )
            return
        self.delivery.retried += len(resend)
        for key, value in resend:
            self._produce(value, key)

    def _ensure_topic(self, at_start: bool = False) -> bool:
        """Check the broker answers and the topic exists, creating it if allowed.

        Returns True when the topic had to be created; raises a retriable
        SinkError naming the cause when the broker does not answer.
        """
        wait = self.options.connect_timeout if at_start else _PROBE_SECONDS / 2
        try:
            topics = self._admin.list_topics(timeout=wait).topics
        except KafkaException as exc:
            self._admin.poll(0)  # delivers the connection errors to _on_error
            cause = self._last_error or exc.args[0].str()
            raise SinkError(
                f"{self.describe()}: no answer from {self.options.bootstrap} "
                f"within {wait:g} s: {cause}",
                retriable=True,
            ) from None
        topic = topics.get(self.options.topic)
        if topic is not None and topic.error is None:
            return False
        if not self.options.create:
            raise SinkError(
                f"{self.describe()}: topic '{self.options.topic}' does not exist "
                "(create=0)"
            )
        self._create_topic()
        return True

    def _create_topic(self) -> None:
        new_topic = NewTopic(
            self.options.topic, self.options.partitions, self.options.replication
        )
        future = self._admin.create_topics([new_topic])[self.options.topic]
        try:
            future.result(timeout=self.options.connect_timeout * 2)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise SinkError(
                    f"{self.describe()}: cannot create topic "
                    f"'{self.options.topic}': {exc.args[0].str()}"
                ) from None
        except TimeoutError:
            raise SinkError(
                f"{self.describe()}: creating topic '{self.options.topic}' timed out",
                retriable=True,
            ) from None

    def _settings(self, admin: bool = False) -> dict[str, Any]:
        logger = ClientLog(self._unknown_producer)
        if admin:
            return admin_settings(self.options, self._on_error, logger)
        return producer_settings(
            self.options, self._on_error, logger, self._on_delivery
        )

    def _unknown_producer(self) -> None:
        self._last_error = "the broker no longer knows this producer"
        self._replace = True

    # Avro

    def _derived_schema(self, events: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return derive_schema(events, name=record_name(self.options.topic))

    def _start_avro(self, schema: dict[str, Any]) -> None:
        """Register schema as TOPIC-value and encode values with its id."""
        registry = self.options.registry
        assert registry is not None
        schema_id = call_with_retries(
            lambda: register_schema(
                registry,
                f"{self.options.topic}-value",
                schema,
                timeout=self.options.connect_timeout,
            ),
            RetryPolicy(self.options.connect_timeout, owner=self.describe()),
        )
        self._avro_schema = schema
        self._encode = AvroEncoder(schema, schema_id).encode

    # Flushing and closing

    def tick(self) -> None:
        """Count the delivery reports that came in since the last send."""
        if not self._closed:
            self._producer.poll(0)
            self._maintain()
            self._count()

    def flush(self) -> None:
        """Wait for the delivery report of every event sent (bounded by timeout)."""
        if self._closed:
            return
        deadline = time.monotonic() + 2 * self.options.timeout + 10
        while time.monotonic() < deadline:
            self._producer.flush(0.5)
            self._maintain()
            self._count()
            if not (len(self._producer) or self._resend):
                return

    def close(self) -> Delivery:
        """Flush, count what was never acknowledged as failed, release the client."""
        if self._closed:
            return self.delivery
        try:
            self.flush()
        except KeyboardInterrupt:  # a second Ctrl-C while waiting for the broker
            self.give_up()
            raise
        finally:
            if not self._closed:
                self._end()
        return self.delivery

    def give_up(self) -> Delivery:
        """Stop at once: what never left the producer is failed, what is on
        its way to the broker with no answer yet is unknown (it may or may not
        be on the topic); waits for nothing."""
        if self._closed:
            return self.delivery
        self._closed = self._closing = True
        delivery = self.delivery
        self._producer.purge(in_queue=True, in_flight=False)
        self._producer.poll(0)  # the purged events' reports: failed
        delivery.failed += len(self._resend)
        self._resend.clear()
        delivery.unknown = len(self._producer)
        delivery.unknown_reason = "interrupted before the broker answered"
        delivery.acknowledged = delivery.sent - delivery.failed - delivery.unknown
        return delivery

    def _end(self) -> None:
        """Count what was never acknowledged as failed and release the client."""
        self._closed = self._closing = True
        self._producer.purge()
        self._producer.flush(1.0)  # each purged event is reported, failed
        delivery = self.delivery
        delivery.failed += len(self._producer) + len(self._resend)
        self._resend.clear()
        delivery.acknowledged = delivery.sent - delivery.failed

    def _scrub(self, text: str) -> str:
        """text without the passwords these options hold (short ones only where
        they stand in a URL, so that a one-letter password does not blot out text)."""
        return scrub(text, *self._secrets, min_length=6)
