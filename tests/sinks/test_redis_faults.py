"""The Redis Streams sink when its server stalls, its connections are cut, or
it is gone: a relay in front of the machine's Redis breaks the connection
while the server itself keeps running.

Every id arrives, and the counts say what happened: a resend after a lost
reply writes the entries again (at-least-once), unless id_field is set
(then each id once).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from datagen.errors import SinkError
from datagen.sinks.redis_streams import RedisStreamSink
from tests.sinks.conformance import sample_events
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.test_redis_streams import (
    REDIS_PORT,
    fresh_stream,
    open_redis,
    read_events,
    redis_url,
)

BATCH = 100


@pytest.fixture
def stream() -> Iterator[str]:
    yield from fresh_stream()


@pytest.fixture
def relay() -> Iterator[Relay]:
    with Relay(REDIS_PORT) as relay:
        yield relay


def _later(seconds: float, action: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def _ids(stream: str) -> Counter[str]:
    return Counter(event["id"] for event in read_events(stream))


def _send(sink: RedisStreamSink, events: list[dict[str, object]]) -> None:
    for start in range(0, len(events), BATCH):
        sink.send_many(events[start : start + BATCH])


def test_a_paused_then_cut_server_loses_nothing(relay: Relay, stream: str) -> None:
    """Held bytes wait (no resend: each id once); bytes held when the
    connection is cut never reached Redis, and are sent again."""
    events = sample_events(3000, tag="paused")
    sink = open_redis(redis_url(stream, f"&batch={BATCH}", port=relay.port))
    _send(sink, events[:1000])
    relay.pause()
    resume = _later(1.5, relay.resume)
    started = time.monotonic()
    _send(sink, events[1000:2000])
    assert time.monotonic() - started >= 1.2, "the pause did not hold the run"
    resume.join()
    assert sink.delivery.retried == 0
    relay.pause()
    cut = _later(0.5, relay.cut)
    restore = _later(1.5, relay.restore)
    _send(sink, events[2000:])
    delivery = sink.close()
    cut.join()
    restore.join()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (3000, 3000, 0)
    assert delivery.retried >= BATCH
    ids = _ids(stream)
    assert set(ids) == {event["id"] for event in events}
    assert max(ids.values()) == 1, "bytes lost in the cut were written anyway"


@pytest.mark.parametrize("once", [False, True], ids=["plain", "id_field"])
def test_a_reply_lost_in_a_cut_writes_again_unless_id_field(
    relay: Relay, stream: str, once: bool
) -> None:
    """Redis wrote the batch, its replies were lost: the sink cannot know,
    and sends the batch again; id_field makes that second write a no-op."""
    events = sample_events(600, tag="lost")
    extra = f"&batch={BATCH}" + ("&id_field=id" if once else "")
    sink = open_redis(redis_url(stream, extra, port=relay.port))
    _send(sink, events[:300])
    relay.hold_replies()
    cut = _later(0.5, relay.cut)
    restore = _later(1.0, relay.restore)
    _send(sink, events[300:])
    delivery = sink.close()
    cut.join()
    restore.join()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (600, 600, 0)
    assert delivery.retried >= BATCH and delivery.retried % BATCH == 0
    ids = _ids(stream)
    assert set(ids) == {event["id"] for event in events}
    twice = sorted(event_id for event_id, count in ids.items() if count > 1)
    if once:
        assert twice == []
        assert sink.written_before == BATCH
    else:  # at-least-once: exactly the batch whose replies were lost
        assert twice == [event["id"] for event in events[300 : 300 + BATCH]]


def test_a_server_gone_for_good_is_counted_failed(relay: Relay, stream: str) -> None:
    events = sample_events(500, tag="gone")
    sink = open_redis(redis_url(stream, f"&batch={BATCH}&timeout=1.5", port=relay.port))
    _send(sink, events[:200])
    relay.cut()
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        _send(sink, events[200:])
    assert 1.4 <= time.monotonic() - started < 8
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"redis://127.0.0.1:{relay.port}")
    assert message.count("redis://") == 1 and "writing to 127.0.0.1:" in message
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (300, 200, 100)
    with pytest.raises(SinkError):
        sink.send_many(events[300:])
    assert sink.delivery.failed == 300
    assert set(_ids(stream)) == {event["id"] for event in events[:200]}
