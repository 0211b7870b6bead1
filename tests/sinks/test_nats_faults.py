"""The NATS sink when its connection stalls or drops: a TCP relay in front of the
machine's nats-server is paused or cut mid-run. Every id is in the stream
exactly once (JetStream drops the resent copies by their Nats-Msg-Id) and the
counts are exact."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from datagen.sinks.nats import NatsSink
from tests.sinks.broker_checks import (
    check_gone_for_good,
    fresh,
    open_as,
    send_with_fault,
)
from tests.sinks.conformance import sample_events
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_nats import Stream

EVENTS = sample_events(2000, tag="fault")


@pytest.fixture
def relay(relay_to: Callable[[str], Relay], nats_address: str) -> Relay:
    return relay_to(nats_address)


@pytest.fixture
def stream(nats_address: str) -> Iterator[Stream]:
    yield from fresh(Stream.new(nats_address))


def _through(relay: Relay, stream: Stream) -> NatsSink:
    """A sink publishing through the relay; batches of 100, PubAcks awaited 1 s."""
    url = stream.url("&create=1&batch=100&ack_timeout=1&timeout=20", relay.address)
    return open_as(NatsSink, url)


def _once_each(stream: Stream) -> None:
    ids = stream.ids()
    assert len(ids) == len(set(ids)), "a message is in the stream twice"
    assert sorted(ids) == sorted(event["id"] for event in EVENTS)


def test_paused_connection_loses_and_doubles_nothing(
    relay: Relay, stream: Stream
) -> None:
    sink = _through(relay, stream)
    _, elapsed = send_with_fault(sink, EVENTS, relay.pause, relay.resume, 1.5)
    assert elapsed >= 1.4, "the pause did not hold the run"
    # The messages held by the pause were published again after ack_timeout:
    # both copies reached the server, JetStream kept one.
    assert sink.duplicates > 0
    _once_each(stream)


def test_dropped_connection_reconnects_with_every_id_once(
    relay: Relay, stream: Stream
) -> None:
    send_with_fault(_through(relay, stream), EVENTS, relay.cut, relay.restore, 1.0)
    assert relay.connections >= 2, "the sink did not reconnect"
    _once_each(stream)


def test_acks_lost_with_the_connection_are_resent_and_deduplicated(
    relay: Relay, stream: Stream
) -> None:
    """The server stores the messages, its PubAcks are held and then lost
    with the connection: the sink publishes them again on the new one and
    JetStream drops the copies by their message id."""
    sink = _through(relay, stream)
    send_with_fault(sink, EVENTS, relay.hold_replies, relay.drop_connections, 1.2)
    assert sink.duplicates >= 100, "no message was stored before its ack was lost"
    _once_each(stream)


def test_server_gone_for_good_is_counted_failed(relay: Relay, stream: Stream) -> None:
    url = stream.url("&create=1&batch=100&ack_timeout=1&timeout=2", relay.address)
    sink = open_as(NatsSink, url)
    message = check_gone_for_good(sink, relay, stream.ids, at_least=2)
    assert "not acknowledged within 1 s" in message
