"""A generator's own process: it makes the events, paces them and sends them
to its sink, so no generator's work can stall the API (measured: 20
generators as threads of the API's process pushed /health's p99 past a
second; each in a process, the API's process only answers requests).

The process opens the sink itself (a Kafka producer or a database pool
must not cross a fork) and tells the service READY, or REFUSED with the
HTTP status and message when the sink cannot be opened, and waits for GO
(sent once every generator of the request is ready). Then it reports
its counts every REPORT_SECONDS, the events while someone follows its live
tail, and DONE with its final counts once the sink is closed. A closed
pipe (the service gone) or SIGTERM stops it like a `stop` message does:
the sink is flushed first.

Pacing: event k (from 0) is due at start + (k + 1) * interval, as Eventer's
ticker sends them. The loop wakes when the next event is due (at most every
MIN_TICK, sending every event due by then in one batch), so 1,000 events a
second cost 100 wake-ups, not 1,000, and a slow sink or template catches up
in batches instead of drifting for good.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import orjson

from datagen.errors import first_line
from datagen.redaction import remember_secrets, scrub_known
from datagen.runs.streams import DocumentStream
from datagen.service.destinations import Servers, open_destination
from datagen.service.requests import RequestError, ScheduleSpec
from datagen.sinks.base import BaseSink, Delivery

#: How much lower than the service's a generator's CPU priority is.
NICENESS = 10
#: The shortest sleep between batches.
MIN_TICK = 0.01
#: The longest: counts go to the service at least this often.
REPORT_SECONDS = 0.2
#: The most events sent in one batch while catching up.
MAX_BATCH = 5000

# Messages, child to service.
READY, REFUSED, COUNTS, EVENTS, DONE = "ready", "refused", "counts", "events", "done"
# Messages, service to child.
GO, STOP, FOLLOW = "go", "stop", "follow"


@dataclass(frozen=True)
class Job:
    """What a generator's process needs (pickled to it)."""

    generator_id: str
    schedule: ScheduleSpec
    seed: int
    start: int
    servers: Servers
    instance_id: str | None
    secrets: tuple[str, ...] = ()


def main(conn: Connection, job: Job) -> None:
    """The process's body (multiprocessing's target)."""
    # Below the API's priority: with every core busy generating, the
    # service still answers at once.
    os.nice(NICENESS)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())
    remember_secrets(*job.secrets)
    opened = _open(conn, job)
    if opened is None:
        return
    stream, sink = opened
    loop = _Loop(conn, job, stream, sink, stopping)
    try:
        # Every generator of a request opens its sink before any sends.
        if loop.wait_for_go():
            threading.Thread(target=loop.listen, daemon=True).start()
            loop.run()
    except Exception as exc:  # a template or sink failing mid-stream
        loop.last_error = scrub_known(first_line(exc))
    finally:
        loop.finish()


def _open(conn: Connection, job: Job) -> tuple[DocumentStream, BaseSink] | None:
    """The stream and the sink, READY said; None with REFUSED said."""
    from datagen.service.sources import compile_source

    stream: DocumentStream | None = None
    try:
        source = compile_source(job.schedule.event, job.instance_id, checked=True)
        stream = DocumentStream(source.provider_class, job.seed, job.start)
        sink = open_destination(job.servers, job.schedule.destination, stream.peek())
    except RequestError as exc:
        refused: tuple[Any, ...] = (REFUSED, exc.status, exc.message)
    except Exception as exc:
        refused = (REFUSED, 500, scrub_known(first_line(exc)))
    else:
        conn.send((READY,))
        return stream, sink
    if stream is not None:
        stream.close()
    conn.send(refused)
    return None


class _Loop:
    """The pacing loop and what it reports."""

    def __init__(
        self,
        conn: Connection,
        job: Job,
        stream: DocumentStream,
        sink: BaseSink,
        stopping: threading.Event,
    ) -> None:
        self.conn = conn
        self.event = job.schedule.event
        self.stream = stream
        self.sink = sink
        self.stopping = stopping
        self.following = False
        self.last_error: str | None = None
        self._reported = 0.0

    def wait_for_go(self) -> bool:
        """True when the service says go; False when it says stop, or ends."""
        try:
            return bool(self.conn.recv()[0] == GO)
        except (EOFError, OSError):
            return False

    def listen(self) -> None:
        """The service's messages; its end (EOF) stops the generator."""
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                self.stopping.set()
                return
            if message[0] == STOP:
                self.stopping.set()
            elif message[0] == FOLLOW:
                self.following = bool(message[1])

    def run(self) -> None:
        total = self.event.count
        interval = self.event.interval_ns / 1e9
        begun = time.monotonic()
        first = self.stream.position
        while not self.stopping.is_set():
            if total > 0 and self.stream.position >= total:
                return
            now = time.monotonic()
            due = first + int((now - begun) / interval)
            if total > 0:
                due = min(due, total)
            if due > self.stream.position:
                self._send(min(due - self.stream.position, MAX_BATCH))
            else:
                self.sink.tick()  # a slow stream's events reach the server
            if now - self._reported >= REPORT_SECONDS:
                self._report(COUNTS, self.sink.delivery)
            next_due = begun + (self.stream.position - first + 1) * interval
            wait = min(max(next_due - time.monotonic(), MIN_TICK), REPORT_SECONDS)
            if due <= self.stream.position:
                self.stopping.wait(wait)

    def _send(self, count: int) -> None:
        events = self.stream.take(count)
        self.sink.send_many(events)
        if self.following:
            self.conn.send((EVENTS, b"\n".join(map(orjson.dumps, events))))

    def _report(self, kind: str, delivery: Delivery) -> None:
        self._reported = time.monotonic()
        counts = (delivery.sent, delivery.acknowledged, delivery.failed)
        self.conn.send((kind, self.stream.position, *counts, self.last_error))

    def finish(self) -> None:
        """Close the sink (flushing it) and say DONE with the final counts."""
        try:
            delivery = self.sink.close()
        except Exception as exc:
            self.last_error = self.last_error or scrub_known(first_line(exc))
            delivery = self.sink.delivery
        finally:
            self.stream.close()
        try:
            self._report(DONE, delivery)
        except OSError:  # the service is gone: nobody to tell
            pass
