"""The Kafka sink when its broker pauses, restarts empty, or never comes back.

Each test runs its own Tansu broker on a free port, so pausing or killing it
leaves the shared broker alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from datagen.errors import SinkError
from datagen.sinks.kafka import KafkaSink
from datagen.sinks.spec import open_sink
from tests.services import ServerProcess, free_port, tansu_command
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import read_topic, unique_topic

BATCH = 100


@pytest.fixture
def broker() -> Iterator[ServerProcess]:
    port = free_port()
    with ServerProcess(tansu_command(port), port) as server:
        yield server


def _address(server: ServerProcess) -> str:
    return f"127.0.0.1:{server.port}"


def _send_in_batches(sink: KafkaSink, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), BATCH):
        sink.send_many(events[start : start + BATCH])
        time.sleep(0.01)  # a run that produces over time, not all at once


def _ids_read_back(bootstrap: str, topic: str, expected: int) -> list[str]:
    return [
        orjson.loads(record.value)["id"]
        for record in read_topic(bootstrap, topic, expected)
    ]


def test_paused_broker_loses_nothing(broker: ServerProcess) -> None:
    topic = unique_topic("paused")
    events = sample_events(3000, tag="paused")
    sink = open_sink(f"kafka://{_address(broker)}/{topic}?partitions=2&timeout=30")
    _send_in_batches(sink, events[:1000])
    broker.pause()
    resume = threading.Timer(4.0, broker.resume)  # the broker wakes on its own
    resume.start()
    try:
        _send_in_batches(sink, events[1000:2000])
        sink.flush()  # waits for the broker to answer again
    finally:
        resume.join()
    _send_in_batches(sink, events[2000:])
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (3000, 3000, 0)
    ids = _ids_read_back(_address(broker), topic, len(events))
    assert len(ids) == len(set(ids)), "an event arrived twice"
    assert set(ids) == {event["id"] for event in events}


def test_restarted_broker_gets_a_new_producer_and_the_report_holds(
    broker: ServerProcess,
) -> None:
    topic = unique_topic("restarted")
    events = sample_events(3000, tag="restart")
    before, during, after = events[:1000], events[1000:2000], events[2000:]
    sink = open_sink(f"kafka://{_address(broker)}/{topic}?partitions=2&timeout=30")
    _send_in_batches(sink, before)
    sink.flush()
    acknowledged_before = sink.delivery.acknowledged
    assert acknowledged_before == len(before)

    broker.kill()  # memory storage: the topic and what it held are gone
    _send_in_batches(sink, during)
    time.sleep(2)
    broker.start()
    _send_in_batches(sink, after)
    delivery = sink.close()

    ids = _ids_read_back(_address(broker), topic, len(during) + len(after))
    assert delivery.sent == len(events)
    assert delivery.acknowledged + delivery.failed == len(events)
    assert delivery.acknowledged - acknowledged_before == len(ids)
    assert len(ids) == len(set(ids)), "an event arrived twice"
    assert set(ids) <= {event["id"] for event in during + after}
    assert delivery.failed == 0  # the broker came back well within the timeout
    assert delivery.retried > 0  # the new producer sent the unacknowledged again


def test_broker_that_never_returns_is_counted_failed(broker: ServerProcess) -> None:
    topic = unique_topic("gone")
    events = sample_events(500, tag="gone")
    sink = open_sink(f"kafka://{_address(broker)}/{topic}?timeout=3")
    _send_in_batches(sink, events[:200])
    sink.flush()
    broker.kill()
    _send_in_batches(sink, events[200:400])
    started = time.monotonic()
    delivery = sink.close()
    assert time.monotonic() - started < 20
    assert delivery.sent == 400
    assert (delivery.acknowledged, delivery.failed) == (200, 200)
    with pytest.raises(SinkError, match="closed"):
        sink.send_many(events[400:])


def test_send_after_giving_up_raises_and_counts(broker: ServerProcess) -> None:
    topic = unique_topic("given-up")
    events = sample_events(300, tag="given-up")
    sink = open_sink(f"kafka://{_address(broker)}/{topic}?timeout=2")
    sink.send_many(events[:100])
    sink.flush()
    broker.kill()
    sink.send_many(events[100:200])
    sink.flush()  # waits out the timeout: the 100 are failed
    with pytest.raises(SinkError, match="gave up after 2 s"):
        sink.send_many(events[200:])
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (300, 100, 200)
