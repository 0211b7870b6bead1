"""The MQTT sink against the machine's Mosquitto: a paho subscriber (QoS 1,
subscribed before the sink sends) collects what arrives."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from datagen.errors import SinkError
from datagen.sinks.mqtt import MqttSink
from tests.services import ServerProcess, free_port
from tests.sinks.broker_checks import (
    check_cli_run_delivers,
    check_delivers_whole,
    cli_error_line,
    config_error,
    counts,
    open_as,
    open_error,
)
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic

SECRET = "S3cretPW"


def mqtt_url(server: str, topic: str, extra: str = "") -> str:
    return f"mqtt://{server}/{topic}?{extra.lstrip('&')}"


def _host_port(server: str) -> tuple[str, int]:
    host, port = server.rsplit(":", 1)
    return host, int(port)


class Subscriber:
    """A paho client subscribed (QoS 1) to `pattern` on the real broker at
    `server` ('127.0.0.1:1883'), keeping (topic, payload) of every message
    that arrives."""

    def __init__(self, server: str, pattern: str) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._arrived = threading.Condition()
        subscribed = threading.Event()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5
        )
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *_: subscribed.set()
        self._client.connect(*_host_port(server))
        self._client.loop_start()
        self._client.subscribe(pattern, qos=1)
        if not subscribed.wait(5):
            self.close()
            pytest.fail(f"Mosquitto on {server} did not answer")

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        with self._arrived:
            self.messages.append((message.topic, message.payload))
            self._arrived.notify_all()

    def wait_for(self, count: int, seconds: float = 10, quiet: float = 0.3) -> None:
        """Until `count` messages came and then none for `quiet` seconds (a
        duplicate would come), or `seconds` passed."""
        deadline = time.monotonic() + seconds
        with self._arrived:
            while time.monotonic() < deadline:
                seen = len(self.messages)
                if seen >= count and not self._arrived.wait(quiet):
                    return
                if seen < count:
                    self._arrived.wait(0.1)

    def events(self) -> list[dict[str, Any]]:
        return [orjson.loads(payload) for _, payload in self.messages]

    def received(self, count: int, seconds: float = 10) -> list[dict[str, Any]]:
        """The events, once `count` came and no more for a moment (wait_for)."""
        self.wait_for(count, seconds)
        return self.events()

    def ids(self, count: int, seconds: float = 10) -> Counter[str]:
        """How often each id arrived, once `count` messages came (wait_for)."""
        return Counter(event["id"] for event in self.received(count, seconds))

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@pytest.fixture
def topic() -> str:
    return unique_topic("datagen-test")


@pytest.fixture
def subscriber(mosquitto_address: str, topic: str) -> Iterator[Subscriber]:
    """Subscribed to the test's topic and everything under it."""
    subscriber = Subscriber(mosquitto_address, f"{topic}/#")
    yield subscriber
    subscriber.close()


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_conformance(
    qos: int, mosquitto_address: str, topic: str, subscriber: Subscriber
) -> None:
    url = mqtt_url(mosquitto_address, f"{topic}/all", f"qos={qos}")
    check_delivers_whole(MqttSink, url, lambda: subscriber.received(300))


def test_topic_takes_fields_of_the_event(
    mosquitto_address: str, topic: str, subscriber: Subscriber
) -> None:
    events = sample_events(50, tag="routed")
    url = mqtt_url(mosquitto_address, f"{topic}/{{user_id}}/{{address.city}}", "qos=1")
    with open_as(MqttSink, url) as sink:
        sink.send_many(events)
    received = subscriber.received(len(events))
    topics = {
        event["id"]: name
        for name, event in zip((name for name, _ in subscriber.messages), received)
    }
    for event in events:
        city = event["address"]["city"]
        assert topics[event["id"]] == f"{topic}/{event['user_id']}/{city}"


def test_an_event_missing_a_topic_field_fails_alone(
    mosquitto_address: str, topic: str, subscriber: Subscriber
) -> None:
    sink = open_as(MqttSink, mqtt_url(mosquitto_address, f"{topic}/{{region}}"))
    with pytest.raises(SinkError, match="has no field 'region' for the topic"):
        sink.send_many([{"id": "a", "region": "eu"}, {"id": "b"}])
    sink.send({"id": "c", "region": "us"})
    assert counts(sink.close()) == (3, 2, 1)
    subscriber.wait_for(2)
    assert sorted(name for name, _ in subscriber.messages) == [
        f"{topic}/eu",
        f"{topic}/us",
    ]


def test_retained_message_reaches_a_later_subscriber(
    mosquitto_address: str, topic: str
) -> None:
    url = mqtt_url(mosquitto_address, f"{topic}/state", "retain=1")
    with open_as(MqttSink, url) as sink:
        sink.send_many(sample_events(3, tag="kept"))
    later = Subscriber(mosquitto_address, f"{topic}/state")
    try:
        assert later.received(1, seconds=3)[-1]["id"] == "kept-00002"
    finally:
        later.close()
    cleaner = paho.Client(CallbackAPIVersion.VERSION2)
    cleaner.connect(*_host_port(mosquitto_address))
    cleaner.publish(f"{topic}/state", b"", qos=0, retain=True)
    cleaner.disconnect()


@pytest.mark.parametrize(
    "url, message",
    [
        ("mqtt://127.0.0.1:1883/", "give a topic"),
        ("mqtt://127.0.0.1:1883/a/+/b", "has a wildcard"),
        ("mqtt://127.0.0.1:1883/t?qos=3", "qos must be 0, 1 or 2"),
        ("mqtt://127.0.0.1:1883/t?qos=high", "not a number"),
        ("mqtt://127.0.0.1:1883/t?retian=1", "unknown option 'retian'"),
        ("mqtt://127.0.0.1:1883/t?inflight=0", "inflight must be 1-65535"),
        (f"mqtt://u:{SECRET}@127.0.0.1:port/t", "port must be a number"),
        (f"mqtts://u:{SECRET}@127.0.0.1/t?retain=maybe", "must be 1 or 0"),
        ("mqtt://127.0.0.1/t?ca_certs=/ca.pem", "ca_certs needs mqtts://"),
        ("mqtt://127.0.0.1/rv/{id", r"topic 'rv/\{id' has a \{ or \} that is not "),
        ("mqtt://127.0.0.1/rv/id}", r"topic 'rv/id\}' has a \{ or \}"),
        ("mqtt://127.0.0.1/rv/{a{b}}", r"topic 'rv/\{a\{b\}\}' has a \{ or \}"),
        ("mqtt://127.0.0.1/rv/{}", r"topic 'rv/\{\}' has a \{ or \}"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    assert re.search(message, config_error(url, SECRET))


def test_a_closed_port_fails_at_once() -> None:
    url = f"mqtt://u:{SECRET}@127.0.0.1:{free_port()}/t"
    assert "cannot connect to 127.0.0.1:" in open_error(url, SECRET)


def test_a_broker_that_never_answers_fails_within_connect_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        url = f"mqtt://127.0.0.1:{port}/t?connect_timeout=1"
        message = open_error(url, within=4)
    assert re.search("no answer from 127.0.0.1:.* within 1 s", message)


@pytest.fixture
def locked_broker(tmp_path: Path) -> Iterator[int]:
    """A Mosquitto of the test's own: alice/S3cretPW only, and alice may
    publish under allowed/ only; yields its port."""
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(tmp_path / "pw"), "alice", SECRET],
        check=True,
    )
    (tmp_path / "acl").write_text("user alice\ntopic readwrite allowed/#\n")
    port = free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous false\npersistence false\n"
        f"password_file {tmp_path / 'pw'}\nacl_file {tmp_path / 'acl'}\n"
    )
    if os.geteuid() == 0:  # else it reads them as user mosquitto, who cannot
        config.write_text(config.read_text() + "user root\n")
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    with ServerProcess([binary, "-c", str(config)], port):
        yield port


def test_a_refused_login_is_one_line_without_the_password(locked_broker: int) -> None:
    url = f"mqtt://alice:Wr0ngPW@127.0.0.1:{locked_broker}/allowed/x"
    message = open_error(url, "Wr0ngPW")
    assert message.endswith("the broker refused the connection: Not authorized")


def test_a_message_the_broker_refuses_counts_failed(locked_broker: int) -> None:
    url = f"mqtt://alice:{SECRET}@127.0.0.1:{locked_broker}/{{area}}/x?qos=1"
    with open_as(MqttSink, url) as sink:
        sink.send_many([{"id": 1, "area": "allowed"}, {"id": 2, "area": "denied"}])
        sink.send({"id": 3, "area": "allowed"})
    assert counts(sink.delivery) == (3, 2, 1)


# The command line


def test_a_run_publishes_every_document(
    mosquitto_address: str, topic: str, subscriber: Subscriber
) -> None:
    url = mqtt_url(mosquitto_address, f"{topic}/accounts", "qos=1")
    check_cli_run_delivers(url, lambda: subscriber.received(500))


@pytest.mark.parametrize(
    "url, message",
    [
        ("mqtt://u:{secret}@{server}/t?qos=1&colour=red", "'colour'"),
        ("mqtt://u:{secret}@127.0.0.1:{closed}/t", "cannot connect"),
    ],
)
def test_a_bad_sink_fails_the_run_in_one_line(
    url: str, message: str, mosquitto_address: str
) -> None:
    url = url.format(secret=SECRET, server=mosquitto_address, closed=free_port())
    assert message in cli_error_line(url, SECRET)
