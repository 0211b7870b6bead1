"""A server that accepts connections and never answers fails a run's start in a
bounded time, with a one-line error: every connection made at start has a
connect and a read timeout (docs/sinks.md, "Timeouts at start")."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.processes import run_generate


class SilentServer:
    """A listening socket on 127.0.0.1 that accepts and never sends a byte."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(32)
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)  # kept open, never answered

    def close(self) -> None:
        self.socket.close()
        for connection in self.accepted:
            connection.close()


#: What a run may take besides the waits it is told to make: starting Python
#: and importing the client on a loaded machine. The hangs fixed here were
#: 35 s (registry), 140 s (HTTP) and for good (MariaDB).
START_UP = 10.0


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def start_fails(sink: str, waits: float) -> str:
    """Run a small document run into sink; it must fail (exit 1) within the
    `waits` it is told to make plus START_UP, with one error line; returns it."""
    started = time.monotonic()
    result = run_generate("document", "-p", "order", "-q", "3", "--sink", sink)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < waits + START_UP, f"{elapsed:.1f} s: {result.stderr}"
    return errors[0]


def test_mariadb_that_never_answers_fails_within_the_default_connect_timeout(
    silent: SilentServer,
) -> None:
    # The greeting is read with the connect timeout (5 s): it used to hang for good.
    line = start_fails(
        f"mysql+pymysql://root@127.0.0.1:{silent.port}/test?table=t", waits=5
    )
    assert "cannot connect" in line and "timed out" in line
    assert silent.accepted, "the sink never reached the server"


def test_postgresql_that_never_answers_fails_within_connect_timeout(
    silent: SilentServer,
) -> None:
    line = start_fails(
        f"postgresql://u@127.0.0.1:{silent.port}/test?table=t&connect_timeout=1",
        waits=1,
    )
    assert "cannot connect" in line and "timeout" in line


def test_http_endpoint_that_never_answers_fails_at_start(
    silent: SilentServer,
) -> None:
    # Connecting works; the HEAD request at start gets no answer in `timeout`.
    line = start_fails(f"http://127.0.0.1:{silent.port}/ingest?timeout=1", waits=2)
    assert line.endswith("/ingest: no answer within 1 s")


def test_http_start_waits_at_most_five_seconds_by_default(
    silent: SilentServer,
) -> None:
    line = start_fails(f"http://127.0.0.1:{silent.port}/ingest", waits=10)
    assert line.endswith("no answer within 5 s")


def test_kafka_broker_that_never_answers_fails_within_connect_timeout(
    silent: SilentServer,
) -> None:
    line = start_fails(f"kafka://127.0.0.1:{silent.port}/t?connect_timeout=1", waits=1)
    assert f"no answer from 127.0.0.1:{silent.port} within 1 s" in line


def test_schema_registry_that_never_answers_fails_in_one_wait(
    silent: SilentServer, kafka_bootstrap: str
) -> None:
    # 5 s for the answer, once: retrying a registry that took the connection
    # and said nothing made this 35 s.
    registry = f"http://127.0.0.1:{silent.port}"
    line = start_fails(
        f"kafka://{kafka_bootstrap}/datagen-silent-registry"
        f"?format=avro&registry={registry}",
        waits=5,
    )
    assert line == f"Error: schema registry {registry} did not answer within 5 s"
