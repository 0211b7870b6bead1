"""The RabbitMQ sink when its connection stalls or drops: a relay in front of the
machine's RabbitMQ is paused or cut mid-run. Delivery is at-least-once: every
id reaches the queue, the counts are exact, and only messages whose confirm
was lost with the connection are there twice (a pause alone doubles nothing,
as late confirms are waited for rather than answered by publishing again)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from datagen.errors import SinkError
from tests.sinks.conformance import sample_events
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_amqp import Queue, fresh_queue, open_amqp, read_queue

AMQP_PORT = 5672


@pytest.fixture
def relay() -> Iterator[Relay]:
    with Relay(AMQP_PORT) as relay:
        yield relay


@pytest.fixture
def queue() -> Iterator[Queue]:
    with fresh_queue() as queue:
        yield queue


def _send_with_fault(
    relay: Relay,
    queue: Queue,
    fault: Callable[[], None],
    mend: Callable[[], None],
    seconds: float,
) -> tuple[Counter[str], list[str], float]:
    """2000 events in batches of 100 through the relay; before the 6th batch
    fault() breaks the relay, and a timer mends it `seconds` later. The counts
    must be exact and every id in the queue; returns how often each id is
    there, the ids sent and how long sending took."""
    address = f"127.0.0.1:{relay.port}"
    sink = open_amqp(queue.url("&batch=100&ack_timeout=1&timeout=20", address))
    events = sample_events(2000, tag="fault")
    timer = threading.Timer(seconds, mend)
    started = time.monotonic()
    try:
        for start in range(0, len(events), 100):
            if start == 500:
                fault()
                timer.start()
            sink.send_many(events[start : start + 100])
        delivery = sink.close()
    finally:
        timer.join()
    elapsed = time.monotonic() - started
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (2000, 2000, 0)
    assert delivery.retried > 0, "the fault did not interrupt the run"
    received = Counter(message.event["id"] for message in read_queue(queue.queue))
    sent = [event["id"] for event in events]
    assert set(received) == set(sent), "an id is missing"
    return received, sent, elapsed


def test_paused_connection_loses_and_doubles_nothing(
    relay: Relay, queue: Queue
) -> None:
    received, sent, elapsed = _send_with_fault(
        relay, queue, relay.pause, relay.resume, seconds=1.5
    )
    assert elapsed >= 1.4, "the pause did not hold the run"
    assert sorted(received.elements()) == sorted(sent), "a message arrived twice"


def test_dropped_connection_reconnects_and_loses_nothing(
    relay: Relay, queue: Queue
) -> None:
    _send_with_fault(relay, queue, relay.cut, relay.restore, seconds=1.0)
    assert relay.connections >= 2, "the sink did not reconnect"


def test_confirms_lost_with_the_connection_mean_copies(
    relay: Relay, queue: Queue
) -> None:
    """The broker stores the messages, its confirms are held and then lost
    with the connection: the sink publishes them again on a new one, so
    they are in the queue twice, with the same message_id."""

    def cut_and_restore() -> None:
        relay.cut()
        relay.restore()

    received, _, _ = _send_with_fault(
        relay, queue, relay.hold_replies, cut_and_restore, seconds=1.2
    )
    twice = [event_id for event_id, count in received.items() if count > 1]
    assert len(twice) >= 100, "no message was stored before its confirm was lost"
    assert max(received.values()) == 2


def test_server_gone_for_good_is_counted_failed(relay: Relay, queue: Queue) -> None:
    address = f"127.0.0.1:{relay.port}"
    sink = open_amqp(queue.url("&batch=100&ack_timeout=1&timeout=2", address))
    events = sample_events(500, tag="gone")
    sink.send_many(events[:200])
    sink.flush()
    relay.cut()
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        sink.send_many(events[200:])
    assert 1 <= time.monotonic() - started < 8  # retried for about timeout
    message = str(caught.value)
    assert "\n" not in message and message.count("amqp://") == 1
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (500, 200, 300)
    ids = [message.event["id"] for message in read_queue(queue.queue)]
    assert sorted(ids) == [event["id"] for event in events[:200]]
