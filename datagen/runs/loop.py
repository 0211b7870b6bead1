"""The one run loop: batches from a source delivered to sinks, closed, reported.

Every command (document, journey, replay, simulate) runs through run_loop():
it delivers each batch to every sink in the cheapest form the sink takes,
paces and flushes when asked, survives Ctrl-C and a closed pipe with whole
records only, closes (or, after a failure, aborts) every sink and returns a
RunResult with each sink's counts.

Interruptions: Ctrl-C, and SIGTERM/SIGHUP where a handler raises
KeyboardInterrupt for them (the CLI's, datagen.cli.signals), are held while a
batch is written, then stop the run; the sinks are closed as usual (waiting
for what they hold to be delivered). A second one stops waiting at once: the
sinks give up, counting what no server confirmed yet as unknown.

A checkpointed run (--checkpoint, datagen.runs.checkpoints) is told of each
delivered batch, and of the run's end: stopped (Ctrl-C, a failure) its file
sinks keep their temp files for --resume instead of renaming or dropping them.

It is long (over 300 lines) because delivering, interrupting and closing
are one contract: each step must know how the others left the sinks.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from datagen.engine.batches import Batch
from datagen.faults import Emitted, FaultInjector
from datagen.runs.interrupts import Interrupts, StopNow
from datagen.errors import DatagenError, OutputError, SinkError
from datagen.sinks.base import BaseSink, Delivery, Sink
from datagen.sinks.files import PartSink
from datagen.sinks.python_sink import PythonSink

ProgressCallback = Callable[[int], None]
BatchProgress = Callable[[Batch], None]
#: Shown each batch's events before any fault (ground truth, a run's record).
Observer = Callable[[list[dict[str, Any]]], None]


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
    #: The signal that interrupted the run (the exit code is 128 + it).
    signum: int = int(signal.SIGINT)
    #: The reader of stdout went away (`| head`): the run ended there.
    reader_gone: bool = False
    #: A paced run: the most seconds an event left after its time.
    behind: float = 0.0
    #: Faulted records written, by kind (--faults); duplicates are in count.
    faults: dict[str, int] = field(default_factory=dict)
    #: Items of count an earlier run made (a resumed run's kept parts), which
    #: elapsed does not include.
    made_before: int = 0

    @property
    def inserted(self) -> int:
        """Records the faults added (duplicates): count less these is what
        the source made."""
        return self.faults.get("duplicate", 0)

    @property
    def rate(self) -> float:
        """Items per second (of those this run made)."""
        made = self.count - self.made_before
        return made / self.elapsed if self.elapsed > 0 else float("inf")


class RunCheckpoint(Protocol):
    """What run_loop asks of a checkpointed run (datagen.runs.checkpoints)."""

    #: Events the earlier part of a resumed run delivered (0 for a new run).
    start: int
    #: Items the source's plan leaves out (a resumed block run's done blocks).
    cut: int
    #: Seconds the earlier part ran.
    earlier_seconds: float

    def begin(self, sinks: Sequence[BaseSink], checked: bool) -> None:
        """Before the first batch: sinks restored or made ready to keep;
        `checked`: faults or observers (a state that is not saved)."""

    def after_batch(self, done: int, sinks: Sequence[BaseSink]) -> None:
        """A batch was delivered: `done` events in all; saved when due."""

    def stop(self, done: int, sinks: Sequence[BaseSink]) -> None:
        """The run stops early with `done` events delivered: saved if every
        sink has them, file sinks kept (not renamed) for a resume."""

    def keep(self, sinks: Sequence[BaseSink]) -> None:
        """The run failed: file sinks keep their temp files (not dropped)."""

    def closing(self, done: int, sinks: Sequence[BaseSink]) -> None:
        """Every event delivered; the sinks are closed next."""

    def finish(self, done: int, deliveries: Sequence[Delivery]) -> None:
        """The run ended whole, its sinks closed."""


class Stopwatch:
    """Seconds since creation, from the monotonic clock."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def as_base_sink(sink: Sink) -> BaseSink:
    """sink itself, or a user's send()-only object wrapped to be counted."""
    if isinstance(sink, BaseSink):
        return sink
    return PythonSink(sink, type(sink).__name__)


def deliver(sink: BaseSink, batch: Batch) -> None:
    """One batch to one sink: bytes in the sink's format (made once per batch,
    kept as they came from a worker), an Arrow table where both the batch
    (made as columns) and the sink (Parquet) have one, or dicts."""
    write_table, table = getattr(sink, "write_table", None), getattr(
        batch, "table", None
    )
    if write_table is not None and table is not None:
        write_table(table, len(batch))
    elif sink.encoder is not None:
        sink.write_encoded(batch.encoded(sink.encoder), len(batch))
    else:
        sink.send_many(batch.events())


def checked(
    source: Iterator[Batch],
    faults: FaultInjector | None,
    observers: Sequence[Observer] = (),
) -> Iterator[Batch]:
    """The batches as written: each one's events shown to the observers as
    the source made them, then faulted (which may hold records back until
    the source ends)."""
    last = 0.0
    for batch in source:
        for observe in observers:
            observe(batch.events())
        if faults is None:
            yield batch
            continue
        lines = faults.lines if faults.lines is not None else batch.has_lines
        items = batch.lines() if lines else batch.events()
        emitted = faults.feed(items, batch.times, lines)
        if emitted is not None:
            yield _batch_of(emitted, batch.last)
        last = batch.last
    if faults is not None:
        emitted = faults.finish()
        if emitted is not None:
            yield _batch_of(emitted, last)


def _batch_of(emitted: Emitted, last: float) -> Batch:
    if emitted.lines:
        return Batch(
            None, emitted.items, last, times=emitted.times, broken=emitted.broken
        )
    return Batch(emitted.items, None, last, times=emitted.times, broken=emitted.broken)


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
    faults: FaultInjector | None = None,
    observers: Sequence[Observer] = (),
    checkpoint: RunCheckpoint | None = None,
) -> RunResult:
    """Deliver every batch of source to sinks, then close them; the result
    counts the events delivered, with each sink's Delivery.

    Sinks in `in_workers` were written by the workers that made the batches
    (see datagen.runs.blocks.place_sinks): they are only told the counts.
    flush_each flushes every sink after each batch (paced runs, so a reader
    sees each event on time). Ctrl-C and a closed stdout pipe end the run with
    whole records; any other error aborts the sinks (a SinkError lets the
    others deliver what they hold) and propagates, carrying the counts. After
    an interruption the count is what the sinks confirmed (the least of the
    sinks given every event), so the summary matches their own lines.
    `faults` puts faults into the batches (see checked()) and is told how
    many records were written; `observers` see every batch before it.
    `checkpoint` saves the run as it goes
    (see RunCheckpoint); a resumed run's counts include its earlier part.
    """
    mark = checkpoint
    if mark is not None and requested is not None:
        requested += mark.cut  # the whole run's, not this part's
    every = [as_base_sink(sink) for sink in sinks]
    batches = source
    if faults is not None or observers:
        batches = checked(source, faults, observers)
    outputs = [sink for sink in every if sink not in in_workers]
    stopwatch = Stopwatch()
    done = whole = 0 if mark is None else mark.start
    interrupted, hurry, reader_gone = False, False, False
    stops = Interrupts()
    try:
        if mark is not None:
            mark.begin(every, faults is not None or bool(observers))
        for batch in batches:
            with stops.held():
                for sink in outputs:
                    deliver(sink, batch)
                    if flush_each:
                        sink.flush()
                for part in in_workers:
                    part.count_part(len(batch))
                done += len(batch)
                if mark is not None:
                    mark.after_batch(done, every)
            if on_progress is not None:
                on_progress(batch)
        if mark is not None:
            mark.closing(done, every)
    except KeyboardInterrupt as stop:
        interrupted, hurry = True, isinstance(stop, StopNow)
        stops.note(stop)
    except BrokenPipeError as closed:  # `| head`: the reader has what it wanted
        whole = done  # the batches every sink was given
        done += getattr(closed, "delivered", 0)
        reader_gone = True
    except BaseException as error:
        _stop(source)
        if mark is not None:
            mark.keep(every)
        close_after(every, error)
        raise
    if interrupted:
        hurry = _stop(source) or hurry
    else:
        _stop(source)
    if mark is not None and (interrupted or reader_gone):
        kept = whole if reader_gone else done
        hurry = _stop_checkpointed(mark, kept, every, stops, hurry)
    if interrupted and in_workers:
        settled = [part.settle(requested or done) for part in in_workers]
        done = done if outputs else settled[0]
    if interrupted:  # a folder the parent wrote: its manifest says incomplete
        for sink in outputs:
            if isinstance(sink, PartSink):
                sink.settle(sys.maxsize)
    try:
        deliveries, hurried = _close_interruptible(every, stops, hurry)
    except BaseException:
        if mark is not None:  # a file that could not be renamed is not done
            mark.keep(every)
        raise
    interrupted = interrupted or hurried
    if interrupted:
        done = _confirmed(outputs, done)
    if faults is not None:
        faults.settle(done)
    if mark is not None and not (interrupted or reader_gone):
        mark.finish(done, deliveries)
    return RunResult(
        done,
        done if requested is None else requested,
        target,
        seed,
        stopwatch.elapsed() + (0.0 if mark is None else mark.earlier_seconds),
        interrupted,
        deliveries,
        stops.first or int(signal.SIGINT),
        reader_gone,
        faults=faults.log.counts if faults is not None else {},
    )


def _stop_checkpointed(
    mark: RunCheckpoint,
    done: int,
    sinks: Sequence[BaseSink],
    stops: Interrupts,
    hurry: bool,
) -> bool:
    """mark.stop(), the first interruption held; after a second one (now or
    before: `hurry`) the file sinks are only kept. True when in a hurry."""
    if hurry:
        mark.keep(sinks)
        return True
    try:
        with stops.held():
            mark.stop(done, sinks)
    except KeyboardInterrupt as stop:
        stops.note(stop)
        mark.keep(sinks)
        return True
    return False


def _close_interruptible(
    sinks: Sequence[BaseSink], stops: Interrupts, hurry: bool
) -> tuple[list[Delivery], bool]:
    """Close the sinks, the first interruption held; after a second one (now
    or before) every sink gives up at once. Returns the counts and whether
    the sinks gave up."""
    if not hurry:
        try:
            with stops.held():
                return close_sinks(sinks), False
        except StopNow:
            pass
        except KeyboardInterrupt as stop:  # the first, held while closing
            stops.note(stop)
            return [sink.delivery for sink in sinks], True
    return [_give_up(sink) for sink in sinks], True


def _give_up(sink: BaseSink) -> Delivery:
    """sink.give_up(), which never waits; its counts as they stand if even
    that fails."""
    try:
        return sink.give_up()
    except (KeyboardInterrupt, BrokenPipeError, SinkError, OSError):
        return sink.delivery


def _confirmed(sinks: Sequence[BaseSink], done: int) -> int:
    """What an interrupted run wrote: the least any sink written here and
    given every event (no --route filter) confirmed; else `done` (the
    worker-side sinks' settled count)."""
    full = [sink.delivery.acknowledged for sink in sinks if not _routed(sink)]
    return min(full) if full else done


def _routed(sink: BaseSink) -> bool:
    return getattr(sink, "route", None) is not None


def _stop(source: Any) -> bool:
    """Stop the source (its workers; a simulation saves its profiles), even
    after Ctrl-C or a closed pipe. True when an interruption cut it short."""
    close = getattr(source, "close", None)
    if close is None:
        return False
    try:
        close()
    except KeyboardInterrupt:
        return True
    except BrokenPipeError:
        pass
    return False


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
