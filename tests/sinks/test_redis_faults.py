"""The Redis Streams sink when its server stalls, its connections are cut, or
it is gone: a relay in front of the machine's Redis breaks the connection
while the server itself keeps running.

Every id arrives, and the counts say what happened: a resend after a lost
reply writes the entries again (at-least-once), unless id_field is set
(then each id once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from datagen.errors import SinkError
from datagen.sinks.redis_streams import RedisStreamSink
from tests.sinks.broker_checks import (
    BATCH,
    check_gone_for_good,
    counts,
    fresh,
    held_then_cut,
    open_as,
    send_in_batches,
    send_while_paused,
)
from tests.sinks.conformance import sample_events
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_redis_streams import Stream


@pytest.fixture
def stream(redis_address: str) -> Iterator[Stream]:
    yield from fresh(Stream.new(redis_address))


@pytest.fixture
def relay(relay_to: Callable[[str], Relay], redis_address: str) -> Relay:
    return relay_to(redis_address)


def _through(relay: Relay, stream: Stream, extra: str = "") -> RedisStreamSink:
    """A sink writing through the relay, in batches of BATCH."""
    return open_as(RedisStreamSink, stream.url(f"&batch={BATCH}{extra}", relay.address))


def test_a_paused_then_cut_server_loses_nothing(relay: Relay, stream: Stream) -> None:
    """Held bytes wait (no resend: each id once); bytes held when the
    connection is cut never reached Redis, and are sent again."""
    events = sample_events(3000, tag="paused")
    sink = _through(relay, stream)
    send_in_batches(sink, events[:1000])
    send_while_paused(sink, relay, events[1000:2000], seconds=1.5)
    assert sink.delivery.retried == 0
    with held_then_cut(relay, relay.pause, cut=0.5, restore=1.5):
        send_in_batches(sink, events[2000:])
        delivery = sink.close()
    assert counts(delivery) == (3000, 3000, 0)
    assert delivery.retried >= BATCH
    ids = Counter(stream.ids())
    assert set(ids) == {event["id"] for event in events}
    assert max(ids.values()) == 1, "bytes lost in the cut were written anyway"


@pytest.mark.parametrize("once", [False, True], ids=["plain", "id_field"])
def test_a_reply_lost_in_a_cut_writes_again_unless_id_field(
    relay: Relay, stream: Stream, once: bool
) -> None:
    """Redis wrote the batch, its replies were lost: the sink cannot know,
    and sends the batch again; id_field makes that second write a no-op."""
    events = sample_events(600, tag="lost")
    sink = _through(relay, stream, "&id_field=id" if once else "")
    send_in_batches(sink, events[:300])
    with held_then_cut(relay, relay.hold_replies, cut=0.5, restore=1.0):
        send_in_batches(sink, events[300:])
        delivery = sink.close()
    assert counts(delivery) == (600, 600, 0)
    assert delivery.retried >= BATCH and delivery.retried % BATCH == 0
    ids = Counter(stream.ids())
    assert set(ids) == {event["id"] for event in events}
    twice = sorted(event_id for event_id, count in ids.items() if count > 1)
    if once:
        assert twice == []
        assert sink.written_before == BATCH
    else:  # at-least-once: exactly the batch whose replies were lost
        assert twice == [event["id"] for event in events[300 : 300 + BATCH]]


def test_a_server_gone_for_good_is_counted_failed(relay: Relay, stream: Stream) -> None:
    sink = _through(relay, stream, "&timeout=1.5")
    message = check_gone_for_good(sink, relay, stream.ids, at_least=1.4)
    assert "writing to 127.0.0.1:" in message
    with pytest.raises(SinkError):  # broken, then closed: counted failed too
        sink.send_many(sample_events(1, tag="late"))
    assert sink.delivery.failed == 301
