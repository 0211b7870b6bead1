"""HTTP fault test: the receiving server is paused (SIGSTOP) mid-run, then resumed."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from datagen.sinks.http import HttpSink, split_url
from tests.services import ServerProcess, free_port
from tests.sinks.conformance import sample_events

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port, out = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(out, "ab") as handle:
            handle.write(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def test_a_paused_server_gets_every_event_once(tmp_path: Path) -> None:
    script, received = tmp_path / "receiver.py", tmp_path / "received.jsonl"
    script.write_text(RECEIVER)
    port = free_port()
    events = sample_events(200, tag="pause")
    with ServerProcess(
        [sys.executable, str(script), str(port), str(received)], port
    ) as server:
        sink = HttpSink(
            *split_url(f"http://127.0.0.1:{port}/in?batch=20&format=jsonl&timeout=10")
        )
        sink.send_many(events[:60])
        server.pause()
        resumer = threading.Timer(2.5, server.resume)
        resumer.start()
        started = time.monotonic()
        sink.send_many(events[60:])  # the first request waits for the server
        delivery = sink.close()
        resumer.join()
        assert time.monotonic() - started >= 2.0, "the pause did not hold the run"
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (200, 200, 0)
    ids = [json.loads(line)["id"] for line in received.read_text().splitlines()]
    assert sorted(ids) == sorted(event["id"] for event in events)
    assert len(set(ids)) == len(ids)
