"""The HTTP sink against a real local HTTP server that fails some requests first."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.http import HttpSink, retry_after_seconds, split_url
from datagen.sinks.spec import open_sink
from tests.services import free_port
from tests.sinks.conformance import check_sink_delivers, sample_events


class IngestServer(ThreadingHTTPServer):
    """Accepts POSTed batches; `plan` holds what to answer the first requests:
    a status code, (status, headers), or "drop" (close without answering)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.plan: list[Any] = []
        self.events: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ingest"


class _Handler(BaseHTTPRequestHandler):
    server: IngestServer

    def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            action = self.server.plan.pop(0) if self.server.plan else 200
            self.server.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "at": time.monotonic(),
                    "answer": action,
                }
            )
        if action == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        status, headers = action if isinstance(action, tuple) else (action, {})
        if status == 200:
            kind = self.headers["Content-Type"]
            batch = (
                [json.loads(line) for line in body.splitlines()]
                if kind == "application/x-ndjson"
                else json.loads(body)
            )
            with self.server.lock:
                self.server.events.extend(batch)
        answer = f"echo {self.headers.get('Authorization')}".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[IngestServer]:
    server = IngestServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _same(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


@pytest.mark.parametrize("format_", ["json", "jsonl"])
def test_conformance(server: IngestServer, format_: str) -> None:
    check_sink_delivers(
        lambda: open_sink(f"{server.url}?batch=4&format={format_}"),
        lambda: server.events,
        compare=_same,
    )
    kinds = {request["headers"]["Content-Type"] for request in server.requests}
    assert kinds == {
        "application/json" if format_ == "json" else "application/x-ndjson"
    }
    assert len(server.requests) == 7  # 25 events in batches of 4


def test_5xx_429_and_dropped_connections_are_retried(server: IngestServer) -> None:
    server.plan = [500, "drop", 503, (429, {"Retry-After": "1"}), 502]
    events = sample_events(20, tag="retry")
    with HttpSink(*split_url(f"{server.url}?batch=10&retry_seconds=20")) as sink:
        sink.send_many(events)
    assert sorted(event["id"] for event in server.events) == [e["id"] for e in events]
    assert sink.delivery.acknowledged == 20 and sink.delivery.failed == 0
    assert sink.delivery.retried == 50  # five failed attempts of 10 events
    times = [request["at"] for request in server.requests]
    after_429 = times[4] - times[3]
    assert after_429 >= 0.95, "Retry-After was not honoured"


def test_a_client_error_is_not_retried(server: IngestServer) -> None:
    server.plan = [400]
    sink = HttpSink(*split_url(f"{server.url}?batch=5"))
    with pytest.raises(SinkError, match="HTTP 400") as caught:
        sink.send_many(sample_events(5))
    assert "\n" not in str(caught.value)
    delivery = sink.close()
    assert len(server.requests) == 1
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (5, 0, 5)


def test_bearer_token_is_sent_and_never_shown(
    server: IngestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "tok-3f9a1c"
    server.plan = [200, 401]
    sink = open_sink(f"{server.url}?batch=1&token={secret}")
    assert secret not in sink.describe()
    sink.send({"id": "1"})
    with pytest.raises(SinkError) as caught:
        sink.send({"id": "2"})
    sink.close()
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {secret}"
    assert "HTTP 401" in str(caught.value) and secret not in str(caught.value)
    assert "token" not in server.requests[0]["path"]

    monkeypatch.setenv("DATAGEN_HTTP_TOKEN", "from-env")
    with open_sink(f"{server.url}?batch=1") as sink:
        sink.send({"id": "3"})
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer from-env"


def test_other_query_parameters_stay_in_the_url(server: IngestServer) -> None:
    with open_sink(f"{server.url}?tenant=a&batch=2&region=eu") as sink:
        sink.send_many(sample_events(2))
    assert server.requests[0]["path"] == "/ingest?tenant=a&region=eu"


def test_unreachable_endpoint_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(SinkError, match="cannot connect") as caught:
        open_sink(f"http://127.0.0.1:{free_port()}/x?token=hidden-one")
    assert time.monotonic() - started < 6
    assert "hidden-one" not in str(caught.value)


def test_a_server_gone_for_good_is_counted_failed(server: IngestServer) -> None:
    sink = HttpSink(*split_url(f"{server.url}?batch=5&retry_seconds=1"))
    sink.send_many(sample_events(5))
    server.shutdown()
    server.server_close()
    started = time.monotonic()
    with pytest.raises(SinkError):
        sink.send_many(sample_events(5, tag="late"))
    assert time.monotonic() - started < 5
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (10, 5, 5)
    assert delivery.retried > 0


@pytest.mark.parametrize(
    "url, message",
    [
        ("http:///nohost", "names no host"),
        ("http://h/x?format=xml", "format must be json or jsonl"),
        ("http://h/x?batch=0", "batch must be >= 1"),
        ("http://h/x?timeout=soon", "not a number"),
    ],
)
def test_bad_specs(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        split_url(url)


def test_retry_after_as_seconds_or_date() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = retry_after_seconds(formatdate(time.time() + 5, usegmt=True))
    assert later is not None and 3.5 < later <= 5.0


def test_a_slow_stream_is_not_held_for_a_full_batch(server: IngestServer) -> None:
    sink = HttpSink(*split_url(f"{server.url}?batch=1000"))
    sink.linger = 0.2
    sink.send({"id": "early"})
    time.sleep(0.3)
    sink.send({"id": "later"})
    assert [event["id"] for event in server.events] == ["early", "later"]
    sink.close()


def test_other_query_keys_reach_the_server_and_misspelt_options_do_not(
    server: IngestServer,
) -> None:
    with open_sink(f"{server.url}?api-version=2&batch=2&format=jsonl") as sink:
        sink.send_many(sample_events(3))
    assert [request["path"] for request in server.requests] == [
        "/ingest?api-version=2",
        "/ingest?api-version=2",
    ]
    assert len(server.events) == 3
    with pytest.raises(ConfigError, match="unknown option 'bacth'"):
        open_sink(f"{server.url}?api-version=2&bacth=2")
    assert len(server.requests) == 2
