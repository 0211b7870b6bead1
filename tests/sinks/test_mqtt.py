"""The MQTT sink against the machine's Mosquitto: a paho subscriber (QoS 1,
subscribed before the sink sends) collects what arrives."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from datagen.errors import ConfigError, SinkError
from datagen.sinks.mqtt import MqttSink
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.services import ServerProcess, free_port
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import unique_topic

MQTT_PORT = 1883


def mqtt_url(topic: str, extra: str = "", port: int = MQTT_PORT) -> str:
    return f"mqtt://127.0.0.1:{port}/{topic}?{extra.lstrip('&')}"


def open_mqtt(url: str) -> MqttSink:
    sink = open_sink(url)
    assert isinstance(sink, MqttSink)
    return sink


class Subscriber:
    """A paho client subscribed (QoS 1) to `pattern` on the real broker,
    keeping (topic, payload) of every message that arrives."""

    def __init__(self, pattern: str) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._arrived = threading.Condition()
        subscribed = threading.Event()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, protocol=MQTTProtocolVersion.MQTTv5
        )
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *_: subscribed.set()
        self._client.connect("127.0.0.1", MQTT_PORT)
        self._client.loop_start()
        self._client.subscribe(pattern, qos=1)
        if not subscribed.wait(5):
            self.close()
            pytest.fail(f"Mosquitto on 127.0.0.1:{MQTT_PORT} did not answer")

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

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@pytest.fixture
def topic() -> str:
    return unique_topic("datagen-test")


@pytest.fixture
def subscriber(topic: str) -> Iterator[Subscriber]:
    """Subscribed to the test's topic and everything under it."""
    subscriber = Subscriber(f"{topic}/#")
    yield subscriber
    subscriber.close()


def _equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_conformance(qos: int, topic: str, subscriber: Subscriber) -> None:
    events = sample_events(300, tag=f"mqtt{qos}")

    def read_back() -> list[dict[str, Any]]:
        subscriber.wait_for(len(events))
        return subscriber.events()

    check_sink_delivers(
        lambda: open_mqtt(mqtt_url(f"{topic}/all", f"qos={qos}")),
        read_back,
        events,
        compare=_equal,
    )


def test_topic_takes_fields_of_the_event(topic: str, subscriber: Subscriber) -> None:
    events = sample_events(50, tag="routed")
    url = mqtt_url(f"{topic}/{{user_id}}/{{address.city}}", "qos=1")
    with open_mqtt(url) as sink:
        sink.send_many(events)
    subscriber.wait_for(len(events))
    topics = {
        event["id"]: name
        for name, event in zip(
            (name for name, _ in subscriber.messages), subscriber.events()
        )
    }
    for event in events:
        city = event["address"]["city"]
        assert topics[event["id"]] == f"{topic}/{event['user_id']}/{city}"


def test_an_event_missing_a_topic_field_fails_alone(
    topic: str, subscriber: Subscriber
) -> None:
    sink = open_mqtt(mqtt_url(f"{topic}/{{region}}"))
    with pytest.raises(SinkError, match="has no field 'region' for the topic"):
        sink.send_many([{"id": "a", "region": "eu"}, {"id": "b"}])
    sink.send({"id": "c", "region": "us"})
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (3, 2, 1)
    subscriber.wait_for(2)
    assert sorted(name for name, _ in subscriber.messages) == [
        f"{topic}/eu",
        f"{topic}/us",
    ]


def test_retained_message_reaches_a_later_subscriber(topic: str) -> None:
    with open_mqtt(mqtt_url(f"{topic}/state", "retain=1")) as sink:
        sink.send_many(sample_events(3, tag="kept"))
    later = Subscriber(f"{topic}/state")
    try:
        later.wait_for(1, seconds=3)
        assert later.events()[-1]["id"] == "kept-00002"
    finally:
        later.close()
    cleaner = paho.Client(CallbackAPIVersion.VERSION2)
    cleaner.connect("127.0.0.1", MQTT_PORT)
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
        ("mqtt://u:S3cretPW@127.0.0.1:port/t", "port must be a number"),
        ("mqtts://u:S3cretPW@127.0.0.1/t?retain=maybe", "must be 1 or 0"),
        ("mqtt://127.0.0.1/t?ca_certs=/ca.pem", "ca_certs needs mqtts://"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        open_sink(url)
    assert "S3cretPW" not in str(caught.value)


def test_a_closed_port_fails_at_once() -> None:
    started = time.monotonic()
    url = f"mqtt://u:S3cretPW@127.0.0.1:{free_port()}/t"
    with pytest.raises(SinkError, match="cannot connect to 127.0.0.1:") as caught:
        open_sink(url)
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value) and "S3cretPW" not in str(caught.value)


def test_a_broker_that_never_answers_fails_within_connect_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(SinkError, match="no answer from 127.0.0.1:.* within 1 s"):
            open_sink(f"mqtt://127.0.0.1:{port}/t?connect_timeout=1")
        assert time.monotonic() - started < 4


@pytest.fixture
def locked_broker(tmp_path: Path) -> Iterator[int]:
    """A Mosquitto of the test's own: alice/S3cretPW only, and alice may
    publish under allowed/ only; yields its port."""
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(tmp_path / "pw"), "alice", "S3cretPW"],
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
    with pytest.raises(SinkError) as caught:
        open_sink(f"mqtt://alice:Wr0ngPW@127.0.0.1:{locked_broker}/allowed/x")
    message = str(caught.value)
    assert message.endswith("the broker refused the connection: Not authorized")
    assert "Wr0ngPW" not in message and "\n" not in message


def test_a_message_the_broker_refuses_counts_failed(locked_broker: int) -> None:
    url = f"mqtt://alice:S3cretPW@127.0.0.1:{locked_broker}/{{area}}/x?qos=1"
    with open_mqtt(url) as sink:
        sink.send_many([{"id": 1, "area": "allowed"}, {"id": 2, "area": "denied"}])
        sink.send({"id": 3, "area": "allowed"})
    delivery = sink.delivery
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (3, 2, 1)


# The command line


def test_a_run_publishes_every_document(topic: str, subscriber: Subscriber) -> None:
    url = mqtt_url(f"{topic}/accounts", "qos=1")
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 500, "--seed", 1, "--sink", url
    )
    assert result.returncode == 0, result.stderr
    assert "sent 500, acknowledged 500, failed 0" in result.stderr
    subscriber.wait_for(500)
    events = subscriber.events()
    assert len({event["id"] for event in events}) == len(events) == 500
    assert {"surname", "forename", "auth"} <= set(events[0])


@pytest.mark.parametrize(
    "url, message",
    [
        ("mqtt://u:S3cretPW@127.0.0.1:{mqtt}/t?qos=1&colour=red", "'colour'"),
        ("mqtt://u:S3cretPW@127.0.0.1:{closed}/t", "cannot connect"),
    ],
)
def test_a_bad_sink_fails_the_run_in_one_line(url: str, message: str) -> None:
    url = url.format(mqtt=MQTT_PORT, closed=free_port())
    started = time.monotonic()
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 5, "--sink", url, timeout=30
    )
    assert (
        time.monotonic() - started < 15
    )  # Python's start and imports on a loaded machine too
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    assert message in errors[0]
    assert "S3cretPW" not in result.stderr and "Traceback" not in result.stderr
