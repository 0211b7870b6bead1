"""The Kinesis sink when its endpoint pauses or throttles: every record arrives once.

The pause test runs its own moto server on a free port, so pausing it leaves
the shared one alone; throttling is injected by a proxy in front of moto.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from datagen.errors import SinkError
from datagen.sinks.kinesis import KinesisSink
from tests.services import ServerProcess, free_port, moto_command
from tests.sinks.broker_checks import open_as
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
    sink = open_as(KinesisSink, stream_url(endpoint, stream, "&shards=2&timeout=30"))
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


class _ThrottlingProxy(ThreadingHTTPServer):
    """In front of a real moto: the first `rounds` PutRecords calls pass only
    every other record on and answer the rest as throttled, as Kinesis does
    when a shard is over its limit (FailedRecordCount > 0)."""

    daemon_threads = True

    def __init__(self, target: str, rounds: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target = target
        self.rounds = rounds
        self.throttled = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ThrottlingProxy

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        target = self.headers.get("X-Amz-Target", "")
        if not target.endswith(".PutRecords") or self.server.rounds <= 0:
            self._forward(body, headers)
            return
        self.server.rounds -= 1
        request = json.loads(body)
        records = request["Records"]
        passed = records[::2]
        headers.pop("Content-Length", None)
        answer = requests.post(
            self.server.target,
            data=json.dumps({**request, "Records": passed}),
            headers=headers,
            timeout=30,
        ).json()
        accepted = iter(answer["Records"])
        results = [
            (
                next(accepted)
                if index % 2 == 0
                else {
                    "ErrorCode": "ProvisionedThroughputExceededException",
                    "ErrorMessage": "Rate exceeded for shard",
                }
            )
            for index in range(len(records))
        ]
        failed = len(records) - len(passed)
        self.server.throttled += failed
        self._reply(200, json.dumps({"FailedRecordCount": failed, "Records": results}))

    def _forward(self, body: bytes, headers: dict[str, str]) -> None:
        answer = requests.post(
            self.server.target + self.path, data=body, headers=headers, timeout=30
        )
        self._reply(answer.status_code, answer.text)

    def _reply(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_throttled_records_are_retried_until_all_arrive(moto_endpoint: str) -> None:
    proxy = _ThrottlingProxy(moto_endpoint, rounds=3)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        stream = unique_topic("throttled")
        events = sample_events(800, tag="throttled")
        with open_as(KinesisSink, stream_url(proxy.url, stream, "&shards=2")) as sink:
            sink.send_many(events)
    finally:
        proxy.shutdown()
        proxy.server_close()
    delivery = sink.delivery
    assert proxy.throttled > 0
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (800, 800, 0)
    assert delivery.retried > 0
    ids = [event["id"] for _, _, event in read_stream(moto_endpoint, stream)]
    assert len(ids) == len(set(ids)), "a record arrived twice"
    assert set(ids) == {event["id"] for event in events}


def test_a_batch_given_up_on_fails_only_the_records_kinesis_refused(
    moto_endpoint: str,
) -> None:
    """Throttled for good: each try stores half of what is left, then the
    sink gives up; what Kinesis stored counts acknowledged, only the rest
    failed, and the error names the sink once."""
    proxy = _ThrottlingProxy(moto_endpoint, rounds=1000)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    stream = unique_topic("given-up")
    try:
        sink = open_as(KinesisSink, stream_url(proxy.url, stream, "&timeout=1"))
        with pytest.raises(SinkError, match="records failed") as caught:
            sink.send_many(sample_events(500, tag="given-up"))  # one whole batch
        delivery = sink.close()
    finally:
        proxy.shutdown()
        proxy.server_close()
    message = str(caught.value)
    assert message.startswith("kinesis://") and message.count("kinesis://") == 1
    stored = read_stream(moto_endpoint, stream)
    assert 250 <= len(stored) < 500
    assert (delivery.sent, delivery.acknowledged) == (500, len(stored))
    assert delivery.failed == 500 - len(stored)
