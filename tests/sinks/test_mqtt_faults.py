"""The MQTT sink when its broker stalls, its connection is cut, or it is gone:
a relay in front of the machine's Mosquitto breaks the connection while the
broker keeps running (and keeps the sink's session).

paho sends what was unanswered again on the new connection with the same
message ids: QoS 2 arrives exactly once, QoS 1 at least once (a message
whose PUBACK was lost arrives twice), and the counts are exact either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from datagen.sinks.mqtt import MqttSink
from tests.sinks.broker_checks import (
    counts,
    give_up_after_cut,
    held_then_cut,
    open_as,
    send_in_batches,
    send_while_paused,
)
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_mqtt import Subscriber, mqtt_url


@pytest.fixture
def relay(relay_to: Callable[[str], Relay], mosquitto_address: str) -> Relay:
    return relay_to(mosquitto_address)


@pytest.fixture
def topic() -> str:
    return unique_topic("datagen-fault")


@pytest.fixture
def subscriber(mosquitto_address: str, topic: str) -> Iterator[Subscriber]:
    """Straight to the broker, not through the relay."""
    subscriber = Subscriber(mosquitto_address, topic)
    yield subscriber
    subscriber.close()


def _through(relay: Relay, topic: str, options: str) -> MqttSink:
    return open_as(MqttSink, mqtt_url(relay.address, topic, options))


def test_a_paused_then_cut_broker_loses_nothing(
    relay: Relay, topic: str, subscriber: Subscriber
) -> None:
    """A pause holds the messages (nothing is sent twice); a cut during a
    pause loses the held bytes, and paho sends them again after reconnecting:
    they never reached the broker, so even QoS 1 delivers each once."""
    events = sample_events(900, tag="paused1")
    sink = _through(relay, topic, "qos=1")
    send_in_batches(sink, events[:300])
    send_while_paused(sink, relay, events[300:600], seconds=1.0)
    sink.flush()  # every answer in: what the cut drops below never arrived
    with held_then_cut(relay, relay.pause, cut=0.3, restore=0.6):
        send_in_batches(sink, events[600:])
        delivery = sink.close()
    assert relay.connections == 2, "the sink did not reconnect"
    assert counts(delivery) == (900, 900, 0)
    assert delivery.retried > 0  # the held messages, sent again
    ids = subscriber.ids(len(events))
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
    sink = _through(relay, topic, f"qos={qos}&inflight=20")
    send_in_batches(sink, events[:300])
    sink.flush()
    with held_then_cut(relay, relay.hold_replies, cut=0.5, restore=0.8):
        send_in_batches(sink, events[300:])
        delivery = sink.close()
    assert relay.connections == 2, "the sink did not reconnect"
    assert counts(delivery) == (600, 600, 0)
    assert delivery.retried == 20  # the window whose answers were lost
    ids = subscriber.ids(len(events))
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
    sink = _through(relay, topic, "qos=0")
    send_in_batches(sink, events[:500])
    with held_then_cut(relay, relay.pause, cut=0.3, restore=0.6):
        send_in_batches(sink, events[500:])
        delivery = sink.close()
    assert counts(delivery) == (1000, 1000, 0)
    ids = subscriber.ids(len(events), seconds=1)
    assert max(ids.values()) == 1
    assert 0 < len(ids) < len(events)
    assert set(ids) <= {event["id"] for event in events}


def test_a_broker_gone_for_good_is_counted_failed(
    relay: Relay, topic: str, subscriber: Subscriber
) -> None:
    events = sample_events(400, tag="gone")
    sink = _through(relay, topic, "qos=1&inflight=20&timeout=1")
    message, elapsed = give_up_after_cut(sink, relay, events, kept=200)
    assert 0.9 <= elapsed < 8
    assert "gave up after 1 s" in message
    delivery = sink.close()
    assert delivery.acknowledged == 200
    assert delivery.sent == delivery.acknowledged + delivery.failed
    assert 200 < delivery.sent <= 221  # the window, and the one that found it full
    assert set(subscriber.ids(200)) == {event["id"] for event in events[:200]}
