"""What every generating run shares: its result, and the interrupt-safe block loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
