"""The NATS sink when its connection stalls or drops: a TCP relay in front of the
machine's nats-server is paused or cut mid-run. Every id is in the stream
exactly once (JetStream drops the resent copies by their Nats-Msg-Id) and the
counts are exact."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from datagen.errors import SinkError
from datagen.sinks.nats import NatsSink
from tests.sinks.conformance import sample_events
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_nats import Stream, fresh_stream, open_nats, read_stream

NATS_PORT = 4222


@pytest.fixture
def relay() -> Iterator[Relay]:
    with Relay(NATS_PORT) as relay:
        yield relay


@pytest.fixture
def stream() -> Iterator[Stream]:
    with fresh_stream() as stream:
        yield stream


def _send_with_fault(
    relay: Relay,
    stream: Stream,
    fault: Callable[[], None],
    mend: Callable[[], None],
    seconds: float,
) -> tuple[NatsSink, list[str], float]:
    """2000 events in batches of 100 through the relay; before the 6th batch
    fault() breaks the relay, and a timer mends it `seconds` later. The counts
    must be exact; returns the sink, the ids sent and how long sending took."""
    address = f"127.0.0.1:{relay.port}"
    sink = open_nats(
        stream.url("&create=1&batch=100&ack_timeout=1&timeout=20", address)
    )
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
    return sink, [event["id"] for event in events], elapsed


def _once_each(stream: Stream, sent: list[str]) -> None:
    ids = [message.event["id"] for message in read_stream(stream.name)]
    assert len(ids) == len(set(ids)), "a message is in the stream twice"
    assert sorted(ids) == sorted(sent)


def test_paused_connection_loses_and_doubles_nothing(
    relay: Relay, stream: Stream
) -> None:
    sink, sent, elapsed = _send_with_fault(
        relay, stream, relay.pause, relay.resume, seconds=1.5
    )
    assert elapsed >= 1.4, "the pause did not hold the run"
    # The messages held by the pause were published again after ack_timeout:
    # both copies reached the server, JetStream kept one.
    assert sink.duplicates > 0
    _once_each(stream, sent)


def test_dropped_connection_reconnects_with_every_id_once(
    relay: Relay, stream: Stream
) -> None:
    _, sent, _ = _send_with_fault(relay, stream, relay.cut, relay.restore, 1.0)
    assert relay.connections >= 2, "the sink did not reconnect"
    _once_each(stream, sent)


def test_acks_lost_with_the_connection_are_resent_and_deduplicated(
    relay: Relay, stream: Stream
) -> None:
    """The server stores the messages, its PubAcks are held and then lost
    with the connection: the sink publishes them again on the new one and
    JetStream drops the copies by their message id."""

    def cut_and_restore() -> None:
        relay.cut()
        relay.restore()

    sink, sent, _ = _send_with_fault(
        relay, stream, relay.hold_replies, cut_and_restore, seconds=1.2
    )
    assert sink.duplicates >= 100, "no message was stored before its ack was lost"
    _once_each(stream, sent)


def test_server_gone_for_good_is_counted_failed(relay: Relay, stream: Stream) -> None:
    address = f"127.0.0.1:{relay.port}"
    sink = open_nats(stream.url("&create=1&batch=100&ack_timeout=1&timeout=2", address))
    events = sample_events(500, tag="gone")
    sink.send_many(events[:200])
    sink.flush()
    relay.cut()
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        sink.send_many(events[200:])
    assert 2 <= time.monotonic() - started < 8
    message = str(caught.value)
    assert "\n" not in message and "not acknowledged within 1 s" in message
    assert message.startswith("nats://") and message.count("nats://") == 1
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (500, 200, 300)
    ids = [message.event["id"] for message in read_stream(stream.name)]
    assert sorted(ids) == [event["id"] for event in events[:200]]
