"""The MQTT sink when its broker stalls, its connection is cut, or it is gone:
a relay in front of the machine's Mosquitto breaks the connection while the
broker keeps running (and keeps the sink's session).

paho sends what was unanswered again on the new connection with the same
message ids: QoS 2 arrives exactly once, QoS 1 at least once (a message
whose PUBACK was lost arrives twice), and the counts are exact either way.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from datagen.errors import SinkError
from datagen.sinks.mqtt import MqttSink
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_mqtt import MQTT_PORT, Subscriber, mqtt_url, open_mqtt

BATCH = 100


@pytest.fixture
def relay() -> Iterator[Relay]:
    with Relay(MQTT_PORT) as relay:
        yield relay


@pytest.fixture
def topic() -> str:
    return unique_topic("datagen-fault")


@pytest.fixture
def subscriber(topic: str) -> Iterator[Subscriber]:
    """Straight to the broker, not through the relay."""
    subscriber = Subscriber(topic)
    yield subscriber
    subscriber.close()


def _later(seconds: float, action: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def _send(sink: MqttSink, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), BATCH):
        sink.send_many(events[start : start + BATCH])


def _ids(subscriber: Subscriber, count: int) -> Counter[str]:
    subscriber.wait_for(count, quiet=0.3)
    return Counter(event["id"] for event in subscriber.events())


def test_a_paused_then_cut_broker_loses_nothing(
    relay: Relay, topic: str, subscriber: Subscriber
) -> None:
    """A pause holds the messages (nothing is sent twice); a cut during a
    pause loses the held bytes, and paho sends them again after reconnecting:
    they never reached the broker, so even QoS 1 delivers each once."""
    qos = 1
    events = sample_events(900, tag=f"paused{qos}")
    sink = open_mqtt(mqtt_url(topic, f"qos={qos}", port=relay.port))
    _send(sink, events[:300])
    relay.pause()
    resume = _later(1.0, relay.resume)
    started = time.monotonic()
    _send(sink, events[300:600])
    assert time.monotonic() - started >= 0.8, "the pause did not hold the run"
    resume.join()
    sink.flush()  # every answer in: what the cut drops below never arrived
    relay.pause()
    cut = _later(0.3, relay.cut)
    restore = _later(0.6, relay.restore)
    _send(sink, events[600:])
    delivery = sink.close()
    cut.join()
    restore.join()
    assert relay.connections == 2, "the sink did not reconnect"
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (900, 900, 0)
    assert delivery.retried > 0  # the held messages, sent again
    ids = _ids(subscriber, len(events))
    assert set(ids) == {event["id"] for event in events}
    assert max(ids.values()) == 1, "held bytes lost in the cut arrived anyway"


@pytest.mark.parametrize("qos", [1, 2])
def test_answers_lost_in_a_cut_duplicate_only_qos_1(
    relay: Relay, topic: str, subscriber: Subscriber, qos: int
) -> None:
    """The broker took the messages, its answers were lost: paho publishes
    them again with the same ids. With QoS 2 the broker's session knows
    those ids and delivers each once; with QoS 1 they arrive twice."""
    events = sample_events(600, tag=f"lost{qos}")
    sink = open_mqtt(mqtt_url(topic, f"qos={qos}&inflight=20", port=relay.port))
    _send(sink, events[:300])
    sink.flush()
    relay.hold_replies()
    cut = _later(0.5, relay.cut)
    restore = _later(0.8, relay.restore)
    _send(sink, events[300:])
    delivery = sink.close()
    cut.join()
    restore.join()
    assert relay.connections == 2, "the sink did not reconnect"
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (600, 600, 0)
    assert delivery.retried == 20  # the window whose answers were lost
    ids = _ids(subscriber, len(events))
    assert set(ids) == {event["id"] for event in events}
    twice = [event_id for event_id, count in ids.items() if count > 1]
    if qos == 2:
        assert twice == []
    else:  # the window's worth whose PUBACKs were held, at most
        assert 1 <= len(twice) <= 20 and max(ids.values()) == 2


def test_qos_0_counts_what_was_written_out(
    relay: Relay, topic: str, subscriber: Subscriber
) -> None:
    """At most once: acknowledged is what reached the socket; bytes a cut
    drops (here: all those the relay held) are lost, so the subscriber sees
    fewer, never more."""
    events = sample_events(1000, tag="qos0")
    sink = open_mqtt(mqtt_url(topic, "qos=0", port=relay.port))
    _send(sink, events[:500])
    relay.pause()
    cut = _later(0.3, relay.cut)
    restore = _later(0.6, relay.restore)
    _send(sink, events[500:])
    delivery = sink.close()
    cut.join()
    restore.join()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (1000, 1000, 0)
    subscriber.wait_for(len(events), seconds=1)
    ids = Counter(event["id"] for event in subscriber.events())
    assert max(ids.values()) == 1
    assert 0 < len(ids) < len(events)
    assert set(ids) <= {event["id"] for event in events}


def test_a_broker_gone_for_good_is_counted_failed(
    relay: Relay, topic: str, subscriber: Subscriber
) -> None:
    events = sample_events(400, tag="gone")
    sink = open_mqtt(mqtt_url(topic, "qos=1&inflight=20&timeout=1", port=relay.port))
    _send(sink, events[:200])
    sink.flush()
    relay.cut()
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        _send(sink, events[200:])
    assert 0.9 <= time.monotonic() - started < 8
    message = str(caught.value)
    assert "\n" not in message and "gave up after 1 s" in message
    assert message.count("mqtt://") == 1
    delivery = sink.close()
    assert delivery.acknowledged == 200
    assert delivery.sent == delivery.acknowledged + delivery.failed
    assert 200 < delivery.sent <= 221  # the window, and the one that found it full
    assert set(_ids(subscriber, 200)) == {event["id"] for event in events[:200]}
