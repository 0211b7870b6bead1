"""One generator as the service sees it: its process (worker.py), the counts
that process reports, its live tails, and what it answers for status.

A thread per generator reads its process's messages; a process that dies
(kill -9, the OOM killer) ends the generator with a one-line last_error
instead of leaving it "active" for good.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing.context import BaseContext
from typing import Any, Callable

import orjson

from datagen.engine.worker_signals import worker_died
from datagen.service import worker
from datagen.service.requests import RequestError, ScheduleSpec
from datagen.sinks.base import Delivery


@dataclass(frozen=True)
class Saved:
    """A generator as a --state file keeps it, to be resumed after a restart:
    where its stream stands and what it has delivered so far."""

    schedule: ScheduleSpec
    seed: int
    produced: int
    #: sent, acknowledged, failed before the restart.
    counts: tuple[int, int, int] = (0, 0, 0)


#: Events a live tail holds for a slow reader before it drops the oldest.
TAIL_SIZE = 1000
#: The longest a generator's process may take to open its sink and start.
START_SECONDS = 120.0


@dataclass
class Tail:
    """A live tail's queue, fed from the reader thread into an event loop."""

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

    def feed(self, items: list[Any]) -> None:
        """Hand items to the tail's loop; a loop already closed (its reader
        gone) is skipped: a reader never stops the generator."""
        try:
            for item in items:
                self.loop.call_soon_threadsafe(self.put, item)
        except RuntimeError:
            pass


class Generator:
    """A generator's process and its reported state; launch() starts it and
    ready() waits for its sink to open."""

    def __init__(
        self,
        job: worker.Job,
        source_label: str,
        on_end: Callable[[Generator], None] | None = None,
        carried: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        self.job = job
        self.id = job.generator_id
        self.schedule: ScheduleSpec = job.schedule
        self.seed = job.seed
        self.source_label = source_label
        self.started_at = datetime.now(timezone.utc)
        #: Events handed to the sink so far (over restarts, with --state).
        self.produced = job.start
        self.delivery = Delivery(self.schedule.destination.describe())
        #: Counts of the runs before a restart, added to what the process says.
        self.carried = carried
        self.delivery.sent, self.delivery.acknowledged, self.delivery.failed = carried
        self.last_error: str | None = None
        self.done = threading.Event()
        self._stopping = False
        self._on_end = on_end
        self._tails: tuple[Tail, ...] = ()
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Any = None
        self._reading = False  # go() was said: _read() follows the process

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
        return not self.done.is_set() and not self._stopping

    @property
    def remaining(self) -> int:
        """Eventer's `count`: events still to send (the count as given when endless)."""
        if not self.finite:
            return self.total
        return max(self.total - self.produced, 0)

    def counts(self) -> Delivery:
        return self.delivery

    def saved(self) -> Saved:
        """What a --state file keeps of it."""
        delivery = self.delivery
        counts = (delivery.sent, delivery.acknowledged, delivery.failed)
        return Saved(self.schedule, self.seed, self.produced, counts)

    def status(self) -> dict[str, Any]:
        """Eventer's status fields, then datagen's own."""
        delivery = self.delivery
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
            "source": self.source_label,
            "destination": self.schedule.destination.describe(),
        }

    # -- running

    def launch(self, context: BaseContext) -> None:
        """Start the generator's process (it opens its sink: see ready())."""
        parent_end, child_end = context.Pipe()
        process = context.Process(  # type: ignore[attr-defined]
            target=worker.main,
            args=(child_end, self.job),
            name=f"datagen-generator-{self.id}",
            daemon=False,
        )
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end

    def ready(self) -> None:
        """Wait until the process has opened its sink; RequestError (the
        process's status and message) when it could not."""
        conn = self._conn
        try:
            if not conn.poll(START_SECONDS):
                raise RequestError(
                    504,
                    f"{self.schedule.destination.describe()}: the generator did "
                    f"not start within {START_SECONDS:g} s",
                )
            reply = conn.recv()
        except (EOFError, OSError):
            self._process.join()
            raise RequestError(500, str(worker_died(0, self._process.exitcode)))
        except RequestError:
            self.kill()
            raise
        if reply[0] == worker.REFUSED:
            self._process.join()
            raise RequestError(reply[1], reply[2])

    def go(self) -> None:
        """Start sending (every generator of the request is ready)."""
        self._reading = True
        threading.Thread(
            target=self._read, name=f"generator-{self.id}", daemon=True
        ).start()
        self._tell(worker.GO)

    def kill(self) -> None:
        """End a process that will not start."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()

    def signal_stop(self) -> None:
        """Ask the process to stop (stop() also waits for it)."""
        self._stopping = True
        self._tell(worker.STOP)

    def stop(self, timeout: float | None = None) -> Delivery:
        """Stop sending, flush and close the sink; its counts."""
        self.signal_stop()
        if self._reading:
            self.done.wait(timeout)
        if self._process is not None:
            self._process.join(timeout)
        return self.delivery

    def _tell(self, *message: Any) -> None:
        with self._lock:
            try:
                self._conn.send(message)
            except (OSError, ValueError):  # the process has ended
                pass

    def _read(self) -> None:
        """The process's reports, until DONE or its end."""
        try:
            while True:
                message = self._conn.recv()
                kind = message[0]
                if kind == worker.EVENTS:
                    events = [orjson.loads(line) for line in message[1].split(b"\n")]
                    for tail in self._tails:
                        tail.feed(events)
                    continue
                self._count(message)
                if kind == worker.DONE:
                    break
        except (EOFError, OSError):
            self._process.join()
            if not self._stopping or self._process.exitcode:
                self.last_error = str(worker_died(0, self._process.exitcode)).replace(
                    "worker process 1", "the generator's process"
                )
        finally:
            self._end()

    def _count(self, message: tuple[Any, ...]) -> None:
        _, produced, *counts, last_error = message
        self.produced = produced
        sent, acknowledged, failed = (
            now + before for now, before in zip(counts, self.carried)
        )
        delivery = self.delivery
        delivery.sent, delivery.acknowledged, delivery.failed = (
            sent,
            acknowledged,
            failed,
        )
        if last_error:
            self.last_error = last_error

    def _end(self) -> None:
        self.done.set()
        self._conn.close()
        for tail in self._tails:
            tail.feed([None])
        if self._on_end is not None:
            self._on_end(self)

    # -- live tails

    def follow(self, loop: asyncio.AbstractEventLoop) -> Tail:
        """A tail receiving every event sent from now on (None at the end)."""
        tail = Tail(loop)
        with self._lock:
            self._tails = (*self._tails, tail)
            first = len(self._tails) == 1
        if self.done.is_set():
            tail.put(None)
        elif first:
            self._tell(worker.FOLLOW, True)
        return tail

    def unfollow(self, tail: Tail) -> None:
        with self._lock:
            self._tails = tuple(item for item in self._tails if item is not tail)
            last = not self._tails
        if last:
            self._tell(worker.FOLLOW, False)
