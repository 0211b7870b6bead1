"""The Kinesis sink when its endpoint pauses mid-run: every record arrives once.

The test runs its own moto server on a free port, so pausing it leaves the
shared one alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from datagen.sinks.spec import open_sink
from tests.services import ServerProcess, free_port, moto_command
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic
from tests.sinks.test_kinesis import read_stream, stream_url


@pytest.fixture
def moto() -> Iterator[ServerProcess]:
    port = free_port()
    with ServerProcess(moto_command(port), port) as server:
        yield server


def test_paused_endpoint_loses_nothing(moto: ServerProcess) -> None:
    endpoint = f"http://127.0.0.1:{moto.port}"
    stream = unique_topic("paused")
    events = sample_events(2000, tag="paused")
    sink = open_sink(stream_url(endpoint, stream, "&shards=2&timeout=30"))
    batches = [events[start : start + 100] for start in range(0, len(events), 100)]
    started = time.monotonic()
    resume = threading.Timer(4.0, moto.resume)  # the server wakes on its own
    try:
        for index, batch in enumerate(batches):
            if index == 5:
                moto.pause()
                resume.start()
            sink.send_many(batch)
    finally:
        if resume.ident is not None:
            resume.join()
    delivery = sink.close()
    assert time.monotonic() - started >= 3.5  # a write did wait for the pause
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (2000, 2000, 0)
    ids = [event["id"] for _, _, event in read_stream(endpoint, stream)]
    assert len(ids) == len(set(ids)), "a record arrived twice"
    assert set(ids) == {event["id"] for event in events}
