"""The RabbitMQ sink when its connection stalls or drops: a relay in front of the
machine's RabbitMQ is paused or cut mid-run. Delivery is at-least-once: every
id reaches the queue, the counts are exact, and only messages whose confirm
was lost with the connection are there twice (a pause alone doubles nothing,
as late confirms are waited for rather than answered by publishing again)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from datagen.sinks.amqp import AmqpSink
from tests.sinks.broker_checks import (
    check_gone_for_good,
    fresh,
    open_as,
    send_with_fault,
)
from tests.sinks.conformance import sample_events
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_amqp import Queue

EVENTS = sample_events(2000, tag="fault")


@pytest.fixture
def relay(relay_to: Callable[[str], Relay], rabbitmq_address: str) -> Relay:
    return relay_to(rabbitmq_address)


@pytest.fixture
def queue(rabbitmq_address: str) -> Iterator[Queue]:
    yield from fresh(Queue.new(rabbitmq_address))


def _through(relay: Relay, queue: Queue) -> AmqpSink:
    """A sink publishing through the relay; batches of 100, confirms awaited 1 s."""
    return open_as(
        AmqpSink, queue.url("&batch=100&ack_timeout=1&timeout=20", relay.address)
    )


def _received(queue: Queue) -> Counter[str]:
    """How often each id is in the queue; every id sent must be."""
    received = Counter(queue.ids())
    assert set(received) == {event["id"] for event in EVENTS}, "an id is missing"
    return received


def test_paused_connection_loses_and_doubles_nothing(
    relay: Relay, queue: Queue
) -> None:
    sink = _through(relay, queue)
    _, elapsed = send_with_fault(sink, EVENTS, relay.pause, relay.resume, 1.5)
    assert elapsed >= 1.4, "the pause did not hold the run"
    assert max(_received(queue).values()) == 1, "a message arrived twice"


def test_dropped_connection_reconnects_and_loses_nothing(
    relay: Relay, queue: Queue
) -> None:
    send_with_fault(_through(relay, queue), EVENTS, relay.cut, relay.restore, 1.0)
    assert relay.connections >= 2, "the sink did not reconnect"
    _received(queue)


def test_confirms_lost_with_the_connection_mean_copies(
    relay: Relay, queue: Queue
) -> None:
    """The broker stores the messages, its confirms are held and then lost
    with the connection: the sink publishes them again on a new one, so
    they are in the queue twice, with the same message_id."""
    sink = _through(relay, queue)
    send_with_fault(sink, EVENTS, relay.hold_replies, relay.drop_connections, 1.2)
    received = _received(queue)
    twice = [event_id for event_id, count in received.items() if count > 1]
    assert len(twice) >= 100, "no message was stored before its confirm was lost"
    assert max(received.values()) == 2


def test_server_gone_for_good_is_counted_failed(relay: Relay, queue: Queue) -> None:
    url = queue.url("&batch=100&ack_timeout=1&timeout=2", relay.address)
    # Retried for about timeout (a refused reconnect fails at once).
    check_gone_for_good(open_as(AmqpSink, url), relay, queue.ids, at_least=1)
