"""The MQTT sink: each event a JSON message on a topic (which may take fields
of the event), QoS 0, 1 or 2, acknowledgements counted per message.

`mqtt://[USER:PASSWORD@]HOST[:PORT]/TOPIC?qos=1&retain=0&client_id=...`
(`mqtts://` for TLS). MQTT 5 through paho-mqtt's threaded client: with QoS 1
or 2 a message counts acknowledged on its PUBACK (PUBCOMP for QoS 2); at most
`inflight` are unanswered at once. A dropped connection is opened again and
paho sends what was unanswered again, with the same message ids; the session
is kept over the reconnect (clean start on the first connect only, expiring
a minute after `timeout`, ended at close), so QoS 2 stays exactly-once and
QoS 1 is at-least-once. QoS 0 has no answer: a message counts acknowledged
once written to the socket, and one still in paho's buffer when the
connection drops is sent again. docs/sinks-brokers.md says more.

It is long because counting every answer across reconnects takes the
network thread's callbacks, a window and the give-up rule together.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from datagen.encoders import field_text, get_dotted, json_message
from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact, scrub
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.options import NOT_AN_OPTION, RetryDeadlineAlias, parse_options
from datagen.sinks.spec import register_sink

#: `{field}` (or `{a.b}`) in a topic: filled from each event.
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: How long the sink waits between looks at the window (answers also wake it).
_LOOK = 0.1
#: Seconds the broker keeps the session after `timeout`, for a late reconnect.
_SESSION_MARGIN = 60


@dataclass(frozen=True)
class MqttOptions(RetryDeadlineAlias):
    """Where and how the sink publishes; the fields from `qos` on are the
    URL's ?options (docs/sinks-brokers.md has the table)."""

    host: str = field(metadata=NOT_AN_OPTION)
    port: int = field(metadata=NOT_AN_OPTION)
    topic: str = field(metadata=NOT_AN_OPTION)
    username: str | None = field(default=None, metadata=NOT_AN_OPTION)
    password: str | None = field(default=None, metadata=NOT_AN_OPTION)
    tls: bool = field(default=False, metadata=NOT_AN_OPTION)
    qos: int = 1
    retain: bool = False
    client_id: str | None = None
    #: Messages sent and not yet answered, at most (QoS 1 and 2).
    inflight: int = 100
    keepalive: int = 30
    #: Seconds without an answer while messages wait before the sink gives up.
    timeout: float = 30.0
    connect_timeout: float = 5.0
    ca_certs: str | None = None

    @classmethod
    def from_url(cls, url: str) -> MqttOptions:
        parts = urlsplit(url)
        where = f"sink '{redact(url)}'"
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{where}: the port must be a number") from None
        tls = parts.scheme.lower() == "mqtts"
        topic = unquote(parts.path[1:])
        if not topic:
            raise ConfigError(f"{where}: give a topic: mqtt://HOST:PORT/TOPIC")
        if "+" in topic or "#" in topic:
            raise ConfigError(
                f"{where}: topic '{topic}' has a wildcard (+ or #); "
                "messages are published to one topic"
            )
        leftover = _PLACEHOLDER.sub("", topic)  # a stray brace, a typo
        if "{" in leftover or "}" in leftover:
            raise ConfigError(
                f"{where}: topic '{topic}' has a {{ or }} that is not part of a "
                "{field} (an unclosed or empty one?)"
            )
        options = parse_options(
            url,
            cls,
            sink=url,
            given={
                "host": parts.hostname or "127.0.0.1",
                "port": port or (8883 if tls else 1883),
                "topic": topic,
                "username": unquote(parts.username) if parts.username else None,
                "password": (
                    unquote(parts.password) if parts.password is not None else None
                ),
                "tls": tls,
            },
        )
        options.check(where)
        return options

    def check(self, where: str) -> None:
        """ConfigError for values the broker or paho would refuse."""
        if self.qos not in (0, 1, 2):
            raise ConfigError(f"{where}: qos must be 0, 1 or 2, not {self.qos}")
        if not 1 <= self.inflight <= 65535:
            raise ConfigError(f"{where}: inflight must be 1-65535")
        if not 1 <= self.keepalive <= 65535:
            raise ConfigError(f"{where}: keepalive must be 1-65535 (seconds)")
        if self.ca_certs and not self.tls:
            raise ConfigError(f"{where}: ca_certs needs mqtts://")
        if self.connect_timeout <= 0 or self.timeout <= 0:
            raise ConfigError(f"{where}: timeout and connect_timeout must be above 0")


class _Sent(NamedTuple):
    """A message paho holds for us: what to publish again if it is lost."""

    topic: str
    payload: bytes
    info: paho.MQTTMessageInfo


@register_sink
class MqttSink(BaseSink):
    """Events as MQTT messages; close() waits for the answers and counts."""

    name = "mqtt"
    schemes = ("mqtt", "mqtts")
    Options = MqttOptions

    def __init__(self, options: MqttOptions, url: str | None = None) -> None:
        self.options = options
        self.url = url or f"mqtt://{options.host}:{options.port}/{options.topic}"
        super().__init__()
        self._fields = _PLACEHOLDER.findall(options.topic)
        self._lock = threading.Condition()
        #: mid -> the message, sent and not yet counted.
        self._pending: dict[int, _Sent] = {}
        #: mid -> whether the broker took it, from the network thread.
        self._answered: dict[int, bool] = {}
        self._connected = threading.Event()
        self._reconnects = 0
        self._resent = 0  # unanswered when a connection came back: paho resends
        #: Unanswered messages at most: inflight, or fewer if the broker says so.
        self._window = options.inflight
        self._last_answer = time.monotonic()
        self._last_error = ""
        self._refusal = ""
        self._broken: SinkError | None = None
        self._closed = False
        self._client = self._make_client()
        self._connect()

    @classmethod
    def from_url(cls, url: str) -> MqttSink:
        return cls(MqttOptions.from_url(url), url)

    def describe(self) -> str:
        return redact(self.url)

    # The connection

    def _make_client(self) -> paho.Client:
        options = self.options
        client_id = options.client_id or f"datagen-{os.getpid()}-{os.urandom(4).hex()}"
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        client.connect_timeout = options.connect_timeout
        client.reconnect_delay_set(1, 2)
        client.max_inflight_messages_set(options.inflight)
        client.max_queued_messages_set(0)
        if options.username is not None or options.password is not None:
            client.username_pw_set(options.username or "", options.password)
        if options.tls:
            client.tls_set(ca_certs=options.ca_certs)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        return client

    def _connect(self) -> None:
        """Connect and wait for the broker's CONNACK; one-line SinkError when
        it refuses or does not answer within connect_timeout."""
        options = self.options
        where = f"{options.host}:{options.port}"
        session = Properties(PacketTypes.CONNECT)
        # QoS 0 has nothing to resume: no session is left on the broker.
        keep = int(options.timeout) + _SESSION_MARGIN if options.qos else 0
        session.SessionExpiryInterval = keep
        try:
            self._client.connect(
                options.host, options.port, options.keepalive, properties=session
            )
        except (OSError, ValueError) as exc:
            raise SinkError(
                f"{self.describe()}: cannot connect to {where}: {self._scrub(exc)}"
            ) from None
        self._client.loop_start()
        answered = self._connected.wait(options.connect_timeout)
        if answered and not self._refusal:
            return
        self._client.disconnect()
        self._client.loop_stop()
        if self._refusal:
            raise SinkError(
                f"{self.describe()}: the broker refused the connection: "
                f"{self._refusal}"
            )
        raise SinkError(
            f"{self.describe()}: no answer from {where} within "
            f"{options.connect_timeout:g} s"
        )

    def _on_connect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            self._refusal = self._last_error = str(reason)
        else:
            # A broker taking fewer unanswered messages than asked says so
            # (QoS 0 messages are not answered: the broker's limit is not theirs).
            most = getattr(properties, "ReceiveMaximum", self.options.inflight)
            if self.options.qos > 0:
                self._window = min(self.options.inflight, most)
        self._connected.set()
        with self._lock:
            if self._reconnects and self.options.qos > 0:
                self._resent += len(self._pending)
            self._reconnects += 1
            self._lock.notify_all()

    def _on_disconnect(
        self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        self._connected.clear()
        self._last_error = f"disconnected ({reason})"
        with self._lock:
            self._lock.notify_all()

    def _on_publish(
        self, client: Any, userdata: Any, mid: int, reason: Any, properties: Any
    ) -> None:
        """A PUBACK/PUBCOMP came (QoS 0: the message was written out)."""
        with self._lock:
            self._answered[mid] = not reason.is_failure
            if reason.is_failure:
                self._last_error = f"the broker refused a message ({reason})"
            self._lock.notify_all()

    # Sending

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if self._closed:
            raise SinkError(f"{self.describe()}: the sink is closed")
        delivery = self.delivery
        for event in events:
            if self._broken is not None:
                delivery.sent += 1
                delivery.failed += 1
                raise self._broken
            topic = self._topic_of(event)
            self._wait_for_room(self._window - 1)
            self._publish(topic, json_message(event))
            delivery.sent += 1

    def _topic_of(self, event: dict[str, Any]) -> str:
        if not self._fields:
            return self.options.topic
        topic = self.options.topic
        for name in self._fields:
            value = get_dotted(event, name)
            text = field_text(value)
            if value is None or "+" in text or "#" in text or "\0" in text:
                self.delivery.sent += 1
                self.delivery.failed += 1
                problem = "has no field" if value is None else "has a + or # in"
                raise SinkError(
                    f"{self.describe()}: event {event.get('id')!r} {problem} "
                    f"'{name}' for the topic"
                )
            topic = topic.replace("{" + name + "}", text)
        return topic

    def _publish(self, topic: str, payload: bytes) -> None:
        """Hand one message to paho; QoS 0 waits for a connection (paho
        drops it when there is none), QoS 1 and 2 are kept until answered."""
        qos = self.options.qos
        started = time.monotonic()
        while True:
            info = self._client.publish(topic, payload, qos, self.options.retain)
            if qos > 0 or info.rc != MQTTErrorCode.MQTT_ERR_NO_CONN:
                break
            self._connected.wait(_LOOK)
            self._check_stalled(started)
        with self._lock:
            if not self._pending:
                self._last_answer = time.monotonic()  # the wait starts now
            self._pending[info.mid] = _Sent(topic, payload, info)

    def _settle(self) -> None:
        """Count the answers that came in."""
        delivery = self.delivery
        with self._lock:
            answered = [mid for mid in self._answered if mid in self._pending]
            for mid in answered:
                del self._pending[mid]
                if self._answered.pop(mid):
                    delivery.acknowledged += 1
                else:
                    delivery.failed += 1
            if answered:
                self._last_answer = time.monotonic()
            delivery.retried += self._resent
            self._resent = 0

    def _resend_lost(self) -> None:
        """Publish again the QoS 0 messages a dropped connection took before
        they were written out (paho marks them lost, and forgets them)."""
        with self._lock:
            lost = [
                self._pending.pop(mid)
                for mid, sent in list(self._pending.items())
                if sent.info.rc == MQTTErrorCode.MQTT_ERR_CONN_LOST
            ]
        for sent in lost:
            self.delivery.retried += 1
            self._publish(sent.topic, sent.payload)

    def _wait_for_room(self, most: int) -> None:
        """Wait until at most `most` messages are unanswered; SinkError when
        no answer came for `timeout` seconds."""
        while True:
            self._settle()
            if len(self._pending) <= most:
                return
            self._check_stalled(self._last_answer)
            if self.options.qos == 0:
                self._resend_lost()
            with self._lock:
                if not self._answered:
                    self._lock.wait(_LOOK)

    def _check_stalled(self, since: float) -> None:
        """SinkError (kept: the sink is broken) when `since` is over `timeout`
        seconds ago."""
        if time.monotonic() - since <= self.options.timeout:
            return
        why = self._last_error or "no acknowledgement"
        self._broken = SinkError(
            f"{self.describe()}: gave up after {self.options.timeout:g} s "
            f"without an answer from the broker: {why}"
        )
        raise self._broken

    # Flushing and closing

    def tick(self) -> None:
        if not self._closed:
            self._settle()

    def flush(self) -> None:
        """Wait for every message's answer (at most `timeout` without one)."""
        if self._closed:
            return
        if self._broken is not None:
            raise self._broken
        self._wait_for_room(0)

    def close(self) -> Delivery:
        """Wait for the answers, end the session, count the unanswered failed."""
        if self._closed:
            return self.delivery
        try:
            self.flush()
        except SinkError:
            pass  # counted below: what is still unanswered failed
        except KeyboardInterrupt:  # a second Ctrl-C while waiting for the broker
            self.give_up()
            raise
        self._end()
        self.delivery.failed += len(self._pending)
        self._pending.clear()
        return self.delivery

    def give_up(self) -> Delivery:
        """Stop at once: what was sent and not answered is unknown."""
        if self._closed:
            return self.delivery
        self._end()
        delivery = self.delivery
        delivery.unknown = len(self._pending)
        delivery.unknown_reason = "interrupted before the broker answered"
        self._pending.clear()
        return delivery

    def _end(self) -> None:
        """Disconnect, ending the session at the broker, and count the last answers."""
        self._closed = True
        ended = Properties(PacketTypes.DISCONNECT)
        ended.SessionExpiryInterval = 0
        self._client.disconnect(properties=ended)  # also: stop reconnecting
        self._client.loop_stop()
        self._settle()

    def _scrub(self, exc: BaseException) -> str:
        return scrub(first_line(exc), self.options.password, min_length=4)
