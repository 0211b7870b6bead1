"""Fault test: PostgreSQL restarted mid-run; every id ends up in the table once."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from datagen.errors import SinkError
from tests.services import answers
from tests.sinks.conformance import sample_events
from tests.sinks.sql_helpers import Database, fresh_table


def _cluster_command(action: str) -> list[str]:
    version = sorted(path.name for path in Path("/etc/postgresql").iterdir())[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]


def _wait_for_postgresql(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not answers(5432):
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.1)


@pytest.fixture
def postgres(postgresql_address: str, tmp_path: Path) -> Iterator[Database]:
    try:
        with fresh_table("postgresql", postgresql_address, tmp_path) as database:
            yield database
    finally:  # other tests share this server: it must be up whatever happened
        if not answers(5432):
            subprocess.run(_cluster_command("start"), check=False, timeout=60)
        _wait_for_postgresql()


@pytest.mark.parametrize("method", ["copy", "insert"])
def test_restart_mid_run_loses_and_doubles_nothing(
    postgres: Database, method: str
) -> None:
    events = sample_events(6000, tag=f"restart-{method}")
    restarted = threading.Event()

    def restart() -> None:
        time.sleep(0.3)
        subprocess.run(_cluster_command("restart"), check=True, timeout=60)
        restarted.set()

    sink = postgres.sink(key="id", method=method, batch=50, retry_seconds=30)
    restarter = threading.Thread(target=restart)
    restarter.start()
    sent = 0
    # Keep sending while the server goes down and comes back, then send the rest.
    while sent < len(events):
        sink.send_many(events[sent : sent + 50])
        sent += 50
        if not restarted.is_set():
            time.sleep(0.01)
            if sent >= len(events) - 50:
                sent = 0  # go round again: the same ids, an upsert each time
    restarter.join()
    delivery = sink.close()

    assert restarted.is_set()
    assert delivery.failed == 0 and delivery.acknowledged == delivery.sent
    assert delivery.retried > 0, "the restart did not interrupt the run"
    ids = [row["id"] for row in postgres.rows()]
    assert len(ids) == len(set(ids)) == len(events)
    assert set(ids) == {event["id"] for event in events}


class _Proxy:
    """A TCP relay to PostgreSQL that the test can cut, like a database going away."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.flowing = threading.Event()
        self.flowing.set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink), daemon=True
                ).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()  # paused: bytes wait, as with a stopped server
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Stop listening and drop every open connection."""
        self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept() (Linux)
        self.server.close()
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def test_a_database_gone_for_good_is_counted_failed(
    postgresql_address: str, tmp_path: Path
) -> None:
    proxy = _Proxy(5432)
    with fresh_table("postgresql", f"127.0.0.1:{proxy.port}", tmp_path) as database:
        sink = database.sink(key="id", batch=10, retry_seconds=1.5)
        events = sample_events(30, tag="gone")
        sink.send_many(events[:10])
        sink.flush()
        proxy.cut()
        started = time.monotonic()
        with pytest.raises(SinkError) as caught:
            sink.send_many(events[10:])
            sink.flush()
        assert 1 <= time.monotonic() - started < 10
        assert "\n" not in str(caught.value) and database.table in str(caught.value)
        delivery = sink.close()
        assert (delivery.sent, delivery.acknowledged) == (30, 10)
        assert delivery.failed == 20 and delivery.retried > 0
        database.base_url = database.base_url.replace(str(proxy.port), "5432")
        assert sorted(row["id"] for row in database.rows()) == [
            event["id"] for event in events[:10]
        ]


def test_a_stalled_connection_resumes_with_every_id_once(
    postgresql_address: str, tmp_path: Path
) -> None:
    proxy = _Proxy(5432)
    with fresh_table("postgresql", f"127.0.0.1:{proxy.port}", tmp_path) as database:
        events = sample_events(3000, tag="stall")
        sink = database.sink(key="id", batch=100)
        sink.send_many(events[:500])
        proxy.flowing.clear()
        resumer = threading.Timer(2.5, proxy.flowing.set)
        resumer.start()
        started = time.monotonic()
        sink.send_many(events[500:])
        delivery = sink.close()
        resumer.join()
        assert time.monotonic() - started >= 2.0, "the stall did not hold the run"
        assert (delivery.acknowledged, delivery.failed) == (3000, 0)
        ids = [row["id"] for row in database.rows()]
        assert len(ids) == len(set(ids)) == 3000
