"""The one run loop: batches from a source delivered to sinks, closed, reported.

Every command (document, journey, replay, simulate) runs through run_loop():
it delivers each batch to every sink in the cheapest form the sink takes,
paces and flushes when asked, survives Ctrl-C and a closed pipe with whole
records only, closes (or, after a failure, aborts) every sink and returns a
RunResult with each sink's counts.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from datagen.engine.batches import Batch
from datagen.errors import DatagenError, OutputError, SinkError
from datagen.sinks.base import BaseSink, Delivery, Sink
from datagen.sinks.files import PartSink
from datagen.sinks.python_sink import PythonSink

ProgressCallback = Callable[[int], None]
BatchProgress = Callable[[Batch], None]


@dataclass
class RunResult:
    """What a run wrote: count, where, how long, and the seed that repeats it."""

    count: int
    requested: int
    target: str
    seed: int | None
    elapsed: float
    interrupted: bool = False
    #: Per-sink counts, for runs that wrote to --sink/--route sinks.
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Items per second."""
        return self.count / self.elapsed if self.elapsed > 0 else float("inf")


class Stopwatch:
    """Seconds since creation, from the monotonic clock."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then raise KeyboardInterrupt.

    A write cut short by Ctrl-C would leave half a record in the file; with this,
    a write is either done (and counted) or not started.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def as_base_sink(sink: Sink) -> BaseSink:
    """sink itself, or a user's send()-only object wrapped to be counted."""
    if isinstance(sink, BaseSink):
        return sink
    return PythonSink(sink, type(sink).__name__)


def deliver(sink: BaseSink, batch: Batch) -> None:
    """One batch to one sink: bytes in the sink's format (made once per batch,
    kept as they came from a worker) or dicts."""
    if sink.encoder is not None:
        sink.write_encoded(batch.encoded(sink.encoder), len(batch))
    else:
        sink.send_many(batch.events())


def run_loop(
    source: Iterator[Batch],
    sinks: Sequence[Sink],
    *,
    target: str,
    seed: int | None,
    requested: int | None = None,
    in_workers: Sequence[PartSink] = (),
    flush_each: bool = False,
    on_progress: BatchProgress | None = None,
) -> RunResult:
    """Deliver every batch of source to sinks, then close them; the result
    counts the events delivered, with each sink's Delivery.

    Sinks in `in_workers` were written by the workers that made the batches
    (see datagen.runs.blocks.place_sinks): they are only told the counts.
    flush_each flushes every sink after each batch (paced runs, so a reader
    sees each event on time). Ctrl-C and a closed stdout pipe end the run with
    whole records; any other error aborts the sinks (a SinkError lets the
    others deliver what they hold) and propagates, carrying the counts.
    """
    every = [as_base_sink(sink) for sink in sinks]
    outputs = [sink for sink in every if sink not in in_workers]
    stopwatch = Stopwatch()
    done, interrupted = 0, False
    try:
        for batch in source:
            with interrupts_deferred():
                for sink in outputs:
                    deliver(sink, batch)
                    if flush_each:
                        sink.flush()
                for part in in_workers:
                    part.count_part(len(batch))
                done += len(batch)
            if on_progress is not None:
                on_progress(batch)
    except KeyboardInterrupt:
        interrupted = True
    except BrokenPipeError as closed:  # `| head`: the reader has what it wanted
        done += getattr(closed, "delivered", 0)
    except BaseException as error:
        _stop(source)
        close_after(every, error)
        raise
    _stop(source)
    if interrupted and in_workers:
        settled = [part.settle(requested or done) for part in in_workers]
        done = done if outputs else settled[0]
    deliveries = close_sinks(every)
    return RunResult(
        done,
        done if requested is None else requested,
        target,
        seed,
        stopwatch.elapsed(),
        interrupted,
        deliveries,
    )


def _stop(source: Any) -> None:
    """Stop the source (its workers; a simulation saves its profiles), even
    after Ctrl-C or a closed pipe."""
    close = getattr(source, "close", None)
    if close is None:
        return
    try:
        close()
    except (KeyboardInterrupt, BrokenPipeError):
        pass


def close_sinks(sinks: Sequence[BaseSink], failed: bool = False) -> list[Delivery]:
    """Close every sink (abort them after a failed run), even when one fails.
    Returns their counts; the first DatagenError from a close (a sink that
    could not deliver, a file that could not be written) is raised at the
    end, carrying every sink's counts in `.deliveries`."""
    deliveries: list[Delivery] = []
    first_error: DatagenError | None = None
    for sink in sinks:
        try:
            delivery = sink.abort() if failed else sink.close()
        except DatagenError as error:
            first_error = first_error or error
            delivery = sink.delivery
        except BrokenPipeError:
            delivery = sink.delivery
        deliveries.append(delivery)
    if first_error is not None:
        setattr(first_error, "deliveries", deliveries)
        raise first_error
    return deliveries


def close_after(sinks: Sequence[BaseSink], error: BaseException) -> None:
    """Close a run's sinks on its way out with `error`. When a sink failed
    (a SinkError, or an OutputError: a file it could not write) the other
    sinks deliver what they hold, and the error carries every sink's counts
    in `.deliveries`, so each sink gets its line in the report (a second
    failure while closing only adds its counts); any other error aborts
    them. Sinks written by workers count what is whole on disk: the parent
    may not have heard of every block they wrote."""
    for sink in sinks:
        if isinstance(sink, PartSink):
            try:
                sink.settle(sys.maxsize)
            except OSError:
                pass  # the folder is gone: the counts stay as they were
    if not isinstance(error, (SinkError, OutputError)):
        try:
            close_sinks(sinks, failed=True)
        except DatagenError:
            pass  # the run's own error is the one to report
        return
    try:
        deliveries = close_sinks(sinks)
    except DatagenError as second:
        deliveries = getattr(second, "deliveries", [])
    setattr(error, "deliveries", deliveries)
