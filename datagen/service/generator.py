"""One running generator: a thread that sends its stream's events to its sink,
one per interval, and what it reports (Eventer's status and datagen's counts).

Pacing: event k (from 0) is due at start + (k + 1) * interval, as
Eventer's ticker sends them. The thread wakes when the
next event is due (at most every MIN_TICK, sending every event due by then
in one batch), so 1,000 events a second cost 100 wake-ups, not 1,000, and a
slow sink or template catches up in batches instead of drifting for good.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from datagen.errors import first_line
from datagen.redaction import scrub_known
from datagen.runs.streams import DocumentStream
from datagen.service.requests import ScheduleSpec
from datagen.service.sources import Source
from datagen.sinks.base import BaseSink, Delivery

#: The shortest sleep between batches.
MIN_TICK = 0.005
#: The most events sent in one batch while catching up.
MAX_BATCH = 5000
#: Events a live tail holds for a slow reader before it drops the oldest.
TAIL_SIZE = 1000


@dataclass
class Tail:
    """A live tail's queue, fed from the generator's thread into an event loop."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any] | None] = field(
        default_factory=lambda: asyncio.Queue(TAIL_SIZE)
    )
    dropped: int = 0

    def put(self, item: dict[str, Any] | None) -> None:
        """Called on the loop's thread: keep the newest when full."""
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(item)


class Generator:
    """Sends schedule's events from source to sink; start() runs the thread."""

    def __init__(
        self,
        generator_id: str,
        schedule: ScheduleSpec,
        source: Source,
        sink: BaseSink,
        stream: DocumentStream,
        seed: int,
        on_end: Callable[[Generator], None] | None = None,
    ) -> None:
        self.id = generator_id
        self.schedule = schedule
        self.source = source
        self.sink = sink
        self.stream = stream
        self.seed = seed
        self.started_at = datetime.now(timezone.utc)
        #: Events handed to the sink so far (over restarts, with --state).
        self.produced = stream.position
        self.last_error: str | None = None
        self.delivery: Delivery | None = None  # set once the sink is closed
        self._on_end = on_end
        self._stop = threading.Event()
        self._tails: tuple[Tail, ...] = ()
        self._tails_lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, name=f"generator-{generator_id}", daemon=True
        )

    # -- what it reports

    @property
    def total(self) -> int:
        """Events to send in all; 0 or less: until removed."""
        return self.schedule.event.count

    @property
    def finite(self) -> bool:
        return self.total > 0

    @property
    def active(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    @property
    def remaining(self) -> int:
        """Eventer's `count`: events still to send (the count as given when endless)."""
        if not self.finite:
            return self.total
        return max(self.total - self.produced, 0)

    def counts(self) -> Delivery:
        return self.delivery or self.sink.delivery

    def status(self) -> dict[str, Any]:
        """Eventer's status fields, then datagen's own."""
        delivery = self.counts()
        event = self.schedule.event
        return {
            "id": self.id,
            "count": self.remaining,
            "active": self.active,
            "sent": delivery.sent,
            "acknowledged": delivery.acknowledged,
            "failed": delivery.failed,
            "last_error": self.last_error,
            "started_at": self.started_at.isoformat(timespec="milliseconds"),
            "total": self.total,
            "interval": event.interval,
            "seed": self.seed,
            "dataset": event.dataset,
            "source": self.source.label,
            "destination": self.schedule.destination.describe(),
        }

    # -- running

    def start(self) -> None:
        self._thread.start()

    def signal_stop(self) -> None:
        """Ask the thread to stop (stop() also waits for it)."""
        self._stop.set()

    def stop(self, timeout: float | None = None) -> Delivery:
        """Stop sending, flush and close the sink; its counts."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return self.counts()

    def _run(self) -> None:
        try:
            self._send_until_done()
        except Exception as exc:  # a template or sink failing mid-stream
            self.last_error = scrub_known(first_line(exc))
        finally:
            self._close()

    def _send_until_done(self) -> None:
        interval = self.schedule.event.interval_ns / 1e9
        begun = time.monotonic()
        first = self.produced
        while not self._stop.is_set():
            if self.finite and self.produced >= self.total:
                return
            elapsed = time.monotonic() - begun
            due = first + int(elapsed / interval)
            if self.finite:
                due = min(due, self.total)
            if due > self.produced:
                self._send(min(due - self.produced, MAX_BATCH))
                continue
            next_due = begun + (self.produced - first + 1) * interval
            self._stop.wait(max(next_due - time.monotonic(), MIN_TICK))

    def _send(self, count: int) -> None:
        events = self.stream.take(count)
        self.sink.send_many(events)
        self.produced += count
        for tail in self._tails:
            _feed(tail, events)

    def _close(self) -> None:
        self._stop.set()
        try:
            self.delivery = self.sink.close()
        except Exception as exc:
            self.last_error = scrub_known(first_line(exc))
            self.delivery = self.sink.delivery
        finally:
            self.stream.close()
            for tail in self._tails:
                _feed(tail, [None])
            if self._on_end is not None:
                self._on_end(self)

    # -- live tails

    def follow(self, loop: asyncio.AbstractEventLoop) -> Tail:
        """A tail receiving every event sent from now on (None at the end)."""
        tail = Tail(loop)
        with self._tails_lock:
            self._tails = (*self._tails, tail)
        if not self._thread.is_alive() and self._thread.ident is not None:
            tail.put(None)
        return tail

    def unfollow(self, tail: Tail) -> None:
        with self._tails_lock:
            self._tails = tuple(item for item in self._tails if item is not tail)


def _feed(tail: Tail, items: list[Any]) -> None:
    """Hand items to a tail's loop; a loop already closed (its reader gone)
    is skipped: a reader never stops the generator."""
    try:
        for item in items:
            tail.loop.call_soon_threadsafe(tail.put, item)
    except RuntimeError:
        pass
