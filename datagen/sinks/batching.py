"""BatchingSink: buffer events, write them in batches with retries, count the rest.

The shape the SQL and HTTP sinks share: send_many() buffers, each full batch is
written by the subclass's write_batch() under the sink's RetryPolicy, and a
batch that still fails when the time is up is counted failed; from then on the
sink is broken, and what it is given is counted failed too.

With `background = True` the batches are written by one thread of the sink's
own, in order, one batch ahead at most: the database works while the generator
makes the next batch. Its errors then surface at the next send_many(), flush()
or close(). Inside `fast_thread_switching()` (the command line's runs) the
interpreter hands the GIL over more often while such a thread runs.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from datagen.errors import SinkError
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.retry import RetryPolicy, call_with_retries

log = logging.getLogger(__name__)

#: The GIL hand-over interval while writer threads run (Python's default: 5 ms).
#: A writer coming back from the database waits for the generator to let go of
#: the GIL; at 5 ms a wait, the two ran nearly one after the other (web events
#: into PostgreSQL: 50k events/s at 5 ms, 58k-63k at 1 ms).
WRITER_SWITCH_INTERVAL = 0.001


class _SwitchInterval:
    """Lowers the interpreter's switch interval while any writer thread runs,
    but only while someone asked for it (fast_thread_switching): the interval
    is the whole interpreter's, not a library's to change unasked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted = 0
        self._writers = 0
        self._previous = sys.getswitchinterval()

    def want(self, wanted: bool) -> None:
        with self._lock:
            self._wanted += 1 if wanted else -1

    def enter(self) -> bool:
        """Note a writer starting; True when it lowered the interval (and so
        must leave())."""
        with self._lock:
            if not self._wanted:
                return False
            if self._writers == 0:
                self._previous = sys.getswitchinterval()
                sys.setswitchinterval(min(self._previous, WRITER_SWITCH_INTERVAL))
            self._writers += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._writers -= 1
            if self._writers == 0:
                sys.setswitchinterval(self._previous)


_SWITCH_INTERVAL = _SwitchInterval()


@contextmanager
def fast_thread_switching() -> Iterator[None]:
    """Within it, batching sinks' writer threads lower the interpreter's switch
    interval to WRITER_SWITCH_INTERVAL while they run (restored when the last
    one ends); outside it, the interval is never changed."""
    _SWITCH_INTERVAL.want(True)
    try:
        yield
    finally:
        _SWITCH_INTERVAL.want(False)


class BatchingSink(BaseSink):
    """Subclasses set batch_size and policy, and write one batch in write_batch()."""

    #: Events wait at most about this long for their batch to fill (checked on send).
    linger: float = 1.0
    #: Write batches in a thread of the sink's own (see the module docstring).
    background: bool = False

    def __init__(self, batch_size: int, policy: RetryPolicy) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.policy = policy
        self.pending: list[dict[str, Any]] = []
        self.broken: SinkError | None = None
        self._closed = False
        self._first_pending_at = 0.0
        self._queue: queue.Queue[list[dict[str, Any]] | None] | None = None
        self._thread: threading.Thread | None = None
        self._switching = False  # this sink's writer lowered the switch interval
        self._failed_lock = threading.Lock()  # the writer thread counts failures too

    def _count_failed(self, count: int) -> None:
        with self._failed_lock:
            self.delivery.failed += count

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        """Deliver events, all or nothing (or in part: see delivered_of);
        raise a retriable SinkError to retry."""
        raise NotImplementedError

    def delivered_of(self, events: list[dict[str, Any]]) -> int:
        """How many of a batch given up on the server took all the same: they
        count acknowledged, only the rest failed. A sink whose server takes a
        batch in part (each record or message answered on its own) and whose
        write_batch() sends again only the rest says so here; 0 by default."""
        return 0

    def retry_sleep(self) -> Callable[[float], None] | None:
        """The sleep between attempts (None: time.sleep); HTTP stretches it."""
        return None

    def release(self) -> None:
        """Free connections; called once by close()."""

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        self.delivery.sent += len(events)
        if self.broken is not None or self._closed:
            self._count_failed(len(events))
            raise self.broken or SinkError(f"{self.describe()}: the sink is closed")
        if not self.pending:
            self._first_pending_at = time.monotonic()
        self.pending.extend(events)
        while len(self.pending) >= self.batch_size:
            self._next_batch()
        self.tick()

    def tick(self) -> None:
        """A slow stream still reaches the target within ~linger."""
        if (
            self.pending
            and self.broken is None
            and not self._closed
            and time.monotonic() - self._first_pending_at > self.linger
        ):
            self._next_batch()

    def flush(self) -> None:
        """Write everything buffered and wait for it; raises the sink's SinkError."""
        while self.pending and self.broken is None:
            self._next_batch()
        if self._queue is not None:
            self._queue.join()
        if self.broken is not None:
            raise self.broken

    def close(self) -> Delivery:
        """Write what is buffered, count what could not be written, release.

        Does not raise: a failure is counted (and logged) so the report shows it.
        """
        if self._closed:
            return self.delivery
        try:
            self.flush()
        except SinkError as error:
            log.warning("%s", error)
        self._closed = True
        self._count_failed(len(self.pending))
        self.pending = []
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            if self._switching:
                _SWITCH_INTERVAL.leave()
        self.release()
        return self.delivery

    def _next_batch(self) -> None:
        batch = self.pending[: self.batch_size]
        del self.pending[: self.batch_size]
        self._first_pending_at = time.monotonic()
        if not self.background:
            self._deliver(batch)
            return
        if self._queue is None:
            self._queue = queue.Queue(maxsize=1)
            self._thread = threading.Thread(
                target=self._write_queued, name=f"sink {self.name}", daemon=True
            )
            self._switching = _SWITCH_INTERVAL.enter()
            self._thread.start()
        self._queue.put(batch)  # waits while the writer is a batch behind

    def _write_queued(self) -> None:
        """The writer thread: batches in order; after a failure, count the rest."""
        assert self._queue is not None
        while (batch := self._queue.get()) is not None:
            try:
                if self.broken is not None:
                    self._count_failed(len(batch))
                else:
                    self._deliver(batch)
            except SinkError:
                pass  # counted and kept in self.broken by _deliver
            except Exception as exc:  # a bug must not leave flush() waiting forever
                self._count_failed(len(batch))
                self.broken = SinkError(f"{self.describe()}: {exc}")
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _deliver(self, events: list[dict[str, Any]]) -> None:
        """Write one batch with retries; on giving up, count what the server
        did not take failed and raise."""

        def on_retry(error: SinkError) -> None:
            self.delivery.retried += len(events)
            log.info("%s: retrying: %s", self.describe(), error)

        sleep = self.retry_sleep()
        extra = {"sleep": sleep} if sleep is not None else {}
        give_up_at = time.monotonic() + self.policy.deadline

        def attempt() -> None:
            # The policy counts the waits between tries; a try that hangs
            # until its own timeout counts too: no new try once the
            # deadline has passed, so a batch gives up within the deadline
            # plus one try, not a dozen tries later.
            try:
                self.write_batch(events)
            except SinkError as error:
                if error.retriable and time.monotonic() >= give_up_at:
                    raise SinkError(str(error), retriable=False) from None
                raise

        try:
            call_with_retries(attempt, self.policy, on_retry, **extra)
        except SinkError as error:
            accepted = self.delivered_of(events)
            self._count_failed(len(events) - accepted)
            self.delivery.acknowledged += accepted
            self.broken = SinkError(f"{self.describe()}: {error}")
            raise self.broken from error
        self.delivery.acknowledged += len(events)
