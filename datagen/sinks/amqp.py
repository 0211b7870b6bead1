"""The RabbitMQ (AMQP 0-9-1) sink: persistent messages, counted on the broker's
publisher confirms.

`amqp://USER:PASSWORD@HOST:5672/[VHOST/]EXCHANGE?routing_key=KEY&queue=NAME`
(`amqps://` for TLS, port 5671; options and guarantees: docs/sinks-brokers.md).
The path is the exchange on the default vhost `/`; with two segments the
first is the vhost, percent-encoded as in the AMQP URI spec (`%2F` for a `/`).
An empty exchange is the default one, which routes by queue name.

Each event is one persistent message (delivery_mode 2) whose body is its
compact JSON and whose message_id is its `key` field. A batch is published
at once, mandatory, on a channel in confirm mode, then the broker's confirms
are awaited: an acked message counts acknowledged; a nacked or returned
(unroutable) one is published again under the sink's RetryPolicy. Confirms
that are merely late are waited for again, not answered by publishing again;
only messages whose channel or connection was lost are published again, on a
new one. So delivery is at-least-once: a message stored just before its
connection dropped is in the queue twice (with the same message_id).

pika's BlockingChannel waits for each message's confirm before the next
(about 450 persistent messages a second here); the sink publishes a batch on
the channel under it (`BlockingChannel._impl`, pika's asynchronous Channel)
and lets BlockingConnection dispatch the confirms: about 14,000 a second.

It is long because the URL's two path forms, the queue and exchange set-up
and the confirm bookkeeping across lost channels are one piece.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple
from urllib.parse import unquote, urlsplit

import pika
import pika.exceptions
from pika.adapters.utils.connection_workflow import AMQPConnectorStackTimeout

from datagen.encoders import field_text, get_dotted, json_message
from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact, scrub_secrets_of
from datagen.sinks.base import Delivery
from datagen.sinks.batching import BatchingSink
from datagen.sinks.options import NOT_AN_OPTION, RetryDeadlineAlias, parse_options
from datagen.sinks.retry import RetryPolicy
from datagen.sinks.spec import register_sink

log = logging.getLogger(__name__)
# pika logs every lost connection as an error; the sink reports what matters.
logging.getLogger("pika").addHandler(logging.NullHandler())

PORTS = {"amqp": 5672, "amqps": 5671}
EXCHANGE_TYPES = ("direct", "topic", "fanout", "headers")
#: AMQP 0-9-1 exchange and queue names.
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{0,255}$")
PERSISTENT = 2


@dataclass(frozen=True)
class AmqpOptions(RetryDeadlineAlias):
    """Where and how the AMQP sink publishes; the fields after tls are the
    URL's ?options."""

    ALIASES: ClassVar[dict[str, str]] = {
        "retry_seconds": "timeout",
        "message_id": "key",
        "type": "exchange_type",
    }

    host: str = field(metadata=NOT_AN_OPTION)
    port: int = field(metadata=NOT_AN_OPTION)
    vhost: str = field(metadata=NOT_AN_OPTION)
    exchange: str = field(metadata=NOT_AN_OPTION)
    user: str | None = field(default=None, metadata=NOT_AN_OPTION)
    password: str | None = field(default=None, repr=False, metadata=NOT_AN_OPTION)
    tls: bool = field(default=False, metadata=NOT_AN_OPTION)
    routing_key: str = ""
    #: A durable queue to declare and bind to the exchange with routing_key.
    queue: str | None = None
    #: Declare the exchange (durable, exchange_type) when it is missing.
    declare: bool = False
    exchange_type: str = "direct"
    #: The field whose value is each message's message_id.
    key: str = "id"
    batch: int = 500
    #: Seconds a batch is retried before what is left counts as failed.
    timeout: float = 30.0
    connect_timeout: float = 5.0
    #: Seconds to wait for a batch's confirms before retrying.
    ack_timeout: float = 5.0

    @classmethod
    def from_url(cls, url: str) -> AmqpOptions:
        parts = urlsplit(url)
        where = f"amqp sink '{redact(url)}'"
        scheme = parts.scheme.lower()
        segments = parts.path[1:].split("/") if parts.path else [""]
        if len(segments) > 2:
            raise ConfigError(
                f"{where}: the path is /EXCHANGE or /VHOST/EXCHANGE, not "
                f"'{unquote(parts.path)}'"
            )
        vhost = unquote(segments[0]) if len(segments) == 2 else "/"
        if not vhost:
            raise ConfigError(f"{where}: the vhost is empty (%2F is the vhost '/')")
        exchange = unquote(segments[-1])
        password = unquote(parts.password) if parts.password is not None else None
        if password is not None and not parts.username:
            # pika would log in as guest/guest and ignore the password.
            raise ConfigError(
                f"{where}: a password without a user: give USER:PASSWORD@"
            )
        given = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or PORTS[scheme],
            "vhost": vhost,
            "exchange": exchange,
            "user": unquote(parts.username) if parts.username else None,
            "password": password,
            "tls": scheme == "amqps",
        }
        options = parse_options(url, cls, given=given)
        options.check(where)
        return options

    def check(self, where: str) -> None:
        """ConfigError naming the first option that does not fit the others."""
        for what, name in (("exchange", self.exchange), ("queue", self.queue or "")):
            if not _NAME.match(name):
                raise ConfigError(
                    f"{where}: {what} '{name}' must be letters, digits, "
                    "'-', '_', '.' or ':'"
                )
        if self.exchange_type not in EXCHANGE_TYPES:
            raise ConfigError(
                f"{where}: exchange_type must be one of {', '.join(EXCHANGE_TYPES)}"
            )
        if not self.exchange:
            if not (self.routing_key or self.queue):
                raise ConfigError(
                    f"{where}: the default exchange (empty path) routes by queue "
                    "name: give routing_key=QUEUE or queue=NAME"
                )
            if self.queue and self.routing_key not in ("", self.queue):
                raise ConfigError(
                    f"{where}: on the default exchange routing_key is the "
                    f"queue's name ('{self.queue}')"
                )
        if self.batch < 1:
            raise ConfigError(f"{where}: batch must be at least 1")
        if min(self.connect_timeout, self.ack_timeout) <= 0 or self.timeout < 0:
            raise ConfigError(
                f"{where}: connect_timeout and ack_timeout must be > 0, timeout >= 0"
            )

    @property
    def route(self) -> str:
        """The routing key messages are published with."""
        return self.routing_key or (self.queue if not self.exchange else "") or ""


class _Message(NamedTuple):
    body: bytes
    properties: Any  # pika.BasicProperties


def _reason(error: BaseException) -> str:
    """One line for a pika error (the socket's own error for a failed connect,
    a failed TLS handshake said to be one: pika lets ssl.SSLError through)."""
    if isinstance(error, ssl.SSLError):
        return f"TLS handshake failed: {first_line(error)}"
    inner = error.args[0] if error.args else None
    cause = getattr(inner, "exception", None)
    if isinstance(cause, OSError):
        return cause.strerror or first_line(cause)
    reply_text = getattr(error, "reply_text", None)  # the broker's own words
    if reply_text:
        return str(reply_text)
    if isinstance(error, AMQPConnectorStackTimeout):
        return "the server did not finish the AMQP handshake"
    return first_line(error)


@register_sink
class AmqpSink(BatchingSink):
    """Events to one exchange as persistent JSON messages; close() returns the
    counts."""

    name = "amqp"
    schemes = ("amqp", "amqps")
    Options = AmqpOptions

    def __init__(self, options: AmqpOptions, url: str | None = None) -> None:
        self.options = options
        self.url = url or f"amqp://{options.host}:{options.port}/{options.exchange}"
        super().__init__(
            options.batch, RetryPolicy(options.timeout, owner=self.describe())
        )
        self._key_path = tuple(options.key.split("."))
        #: The batch being written: its messages to publish, and those
        #: published on the current channel awaiting a confirm, by delivery tag.
        self._batch: list[dict[str, Any]] | None = None
        self._unsent: list[_Message] = []
        self._waiting: dict[int, _Message] = {}
        self._returned: Counter[bytes] = Counter()
        self._refused = 0  # nacked or returned in the current attempt
        self._next_tag = 1
        self._connection: Any = None  # pika.BlockingConnection
        self._channel: Any = None  # pika.channel.Channel, in confirm mode
        self._channel_closed = ""  # why the broker closed the channel
        try:
            self._open(at_start=True)
        except (pika.exceptions.AMQPError, ssl.SSLError) as exc:
            self._drop_connection()
            raise self._error(f"cannot connect: {_reason(exc)}") from None
        except BaseException:
            self._drop_connection()
            raise

    @classmethod
    def from_url(cls, url: str) -> AmqpSink:
        return cls(AmqpOptions.from_url(url), url)

    def describe(self) -> str:
        return redact(self.url)

    def _error(self, text: str) -> SinkError:
        """A one-line SinkError naming the sink, without its secrets."""
        return SinkError(f"{self.describe()}: {scrub_secrets_of(text, self.url)}")

    def _batch_error(self, text: str, retriable: bool = False) -> SinkError:
        """As _error, without the sink's name, which BatchingSink adds."""
        return SinkError(scrub_secrets_of(text, self.url), retriable=retriable)

    # Connecting

    def _parameters(self) -> Any:
        options = self.options
        credentials = (
            pika.PlainCredentials(options.user, options.password or "")
            if options.user
            else pika.ConnectionParameters.DEFAULT_CREDENTIALS
        )
        tls = (
            pika.SSLOptions(ssl.create_default_context(), options.host)
            if options.tls
            else None
        )
        return pika.ConnectionParameters(
            host=options.host,
            port=options.port,
            virtual_host=options.vhost,
            credentials=credentials,
            ssl_options=tls,
            connection_attempts=1,
            socket_timeout=options.connect_timeout,
            stack_timeout=options.connect_timeout,
            client_properties={"connection_name": "datagen"},
        )

    def _open(self, at_start: bool = False) -> None:
        """A connection and a channel in confirm mode, the exchange checked
        (declared, with declare=1) and the queue declared and bound."""
        if self._channel is not None and self._channel.is_open:
            return
        if self._connection is None or not self._connection.is_open:
            self._connection = pika.BlockingConnection(self._parameters())
        blocking = self._connection.channel()
        if at_start:
            self._declare(blocking)
        # Published messages still awaiting a confirm on the lost channel
        # never get one: they are published again on this one.
        self._unsent.extend(self._waiting.values())
        self._waiting.clear()
        self._returned.clear()
        self._next_tag = 1
        channel = blocking._impl  # the asynchronous channel (module docstring)
        channel.add_on_return_callback(self._on_return)
        channel.add_on_close_callback(self._on_channel_closed)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm)
        self._channel = channel

    def _declare(self, blocking: Any) -> None:
        """Check or declare the exchange, declare and bind the queue."""
        options = self.options
        if options.exchange:
            try:
                blocking.exchange_declare(
                    options.exchange,
                    exchange_type=options.exchange_type,
                    durable=True,
                    passive=not options.declare,
                )
            except pika.exceptions.ChannelClosedByBroker as exc:
                hint = "" if options.declare else " (add declare=1 to declare it)"
                raise self._error(
                    f"exchange '{options.exchange}': {exc.reply_text}{hint}"
                ) from None
        if options.queue:
            try:
                blocking.queue_declare(options.queue, durable=True)
                if options.exchange:
                    blocking.queue_bind(
                        options.queue, options.exchange, routing_key=options.route
                    )
            except pika.exceptions.ChannelClosedByBroker as exc:
                raise self._error(
                    f"queue '{options.queue}': {exc.reply_text}"
                ) from None

    def _on_channel_closed(self, channel: Any, reason: Exception) -> None:
        self._channel_closed = _reason(reason)

    def _on_return(
        self, channel: Any, method: Any, properties: Any, body: bytes
    ) -> None:
        """A mandatory message no queue took; its ack follows (matched by body)."""
        self._returned[body] += 1

    def _on_confirm(self, frame: Any) -> None:
        """An ack or nack for one delivery tag, or for all up to it."""
        method = frame.method
        if method.multiple:
            tags = [tag for tag in self._waiting if tag <= method.delivery_tag]
        else:
            tags = [method.delivery_tag]
        nacked = isinstance(method, pika.spec.Basic.Nack)
        for tag in tags:
            message = self._waiting.pop(tag, None)
            if message is None:
                continue
            if nacked or self._returned[message.body] > 0:
                if not nacked:
                    self._returned[message.body] -= 1
                self._unsent.append(message)
                self._refused += 1

    # Writing

    def _message(self, event: dict[str, Any]) -> _Message:
        """An event's body (its JSON; a record a `malformed` fault broke: its
        broken line) and properties (persistent, message_id from key)."""
        body = json_message(event)
        value = get_dotted(event, self._key_path)
        message_id = None if value is None else field_text(value)
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=PERSISTENT,
            message_id=message_id,
        )
        return _Message(body, properties)

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        """Publish the batch's messages not yet confirmed and wait for their
        confirms; a retriable SinkError while some are left."""
        if self._batch is not events:
            self._batch, self._unsent = events, [self._message(e) for e in events]
            self._waiting.clear()
        self._refused = 0
        try:
            self._open()
            self._publish_unsent()
            self._await_confirms()
        except (pika.exceptions.AMQPError, ssl.SSLError) as exc:
            self._drop_connection()
            raise self._batch_error(_reason(exc), retriable=True) from None
        left = len(self._unsent) + len(self._waiting)
        if self._refused:
            raise self._batch_error(
                f"{self._refused} messages were refused (nacked, or no queue is "
                f"bound for routing key '{self.options.route}')",
                retriable=True,
            )
        if left:
            raise self._batch_error(
                f"{left} of {len(events)} messages not confirmed within "
                f"{self.options.ack_timeout:g} s",
                retriable=True,
            )
        self._batch = None

    def _publish_unsent(self) -> None:
        options = self.options
        unsent, self._unsent = self._unsent, []
        for message in unsent:
            self._waiting[self._next_tag] = message
            self._next_tag += 1
            self._channel.basic_publish(
                options.exchange,
                options.route,
                message.body,
                message.properties,
                mandatory=True,
            )

    def _await_confirms(self) -> None:
        """Let the connection dispatch confirms until none is awaited, the
        channel closed or ack_timeout passed; raises pika's error for a lost
        connection."""
        give_up_at = time.monotonic() + self.options.ack_timeout
        while self._waiting and time.monotonic() < give_up_at:
            self._connection.process_data_events(0.005)
            if not self._channel.is_open:
                raise pika.exceptions.AMQPChannelError(
                    f"the broker closed the channel: {self._channel_closed}"
                )

    def _drop_connection(self) -> None:
        """Forget a channel or connection that failed; its unconfirmed
        messages are published again on the next one."""
        self._unsent.extend(self._waiting.values())
        self._waiting.clear()
        self._channel = None
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except pika.exceptions.AMQPError:
                pass

    def delivered_of(self, events: list[dict[str, Any]]) -> int:
        """The messages the broker confirmed of a batch given up on (none when
        its messages were never even made)."""
        return (
            len(events) - len(self._unsent) - len(self._waiting)
            if self._batch is events
            else 0
        )

    def tick(self) -> None:
        """Between events of a slow stream: answer the server's heartbeats too."""
        super().tick()
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.process_data_events(0)
            except pika.exceptions.AMQPError:
                self._drop_connection()

    # Ending

    def give_up(self) -> Delivery:
        """Stop at once: what was never published is failed, what waits for a
        confirm is unknown; the connection is left to the process's end."""
        if not self._closed:
            self._closed = True
            self._count_failed(len(self.pending))
            self.pending = []
        return super().give_up()

    def release(self) -> None:
        """Close the connection, unless confirms are still awaited on it: a
        server that stopped answering would hold close() for good, so that
        connection is left to the process's end."""
        if not self._waiting:
            self._drop_connection()
