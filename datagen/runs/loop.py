"""What every generating run shares: its result, and the interrupt-safe block loop."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from datagen.sinks.base import Delivery

ProgressCallback = Callable[[int], None]


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


def consume(
    results: Iterator[tuple[int, bytes]],
    write: Callable[[bytes, int], None] | None,
    on_progress: ProgressCallback | None,
) -> tuple[int, bool]:
    """Pass each block's bytes to write(); returns (items done, interrupted).

    Ctrl-C stops the workers (closing `results`) and keeps what was whole.
    """
    done = 0
    try:
        for count, data in results:
            with interrupts_deferred():
                if write is not None:
                    write(data, count)
                done += count
            if on_progress is not None:
                on_progress(count)
    except KeyboardInterrupt:
        close = getattr(results, "close", None)
        if close is not None:
            close()
        return done, True
    return done, False
