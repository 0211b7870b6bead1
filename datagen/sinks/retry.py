"""Retries with exponential backoff for sinks, bounded in time, jittered per sink."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from datagen.errors import SinkError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Try again after 0.1 s, 0.2 s, 0.4 s ... (capped) until `deadline` seconds.

    Each wait is stretched by up to a quarter at random, so that sinks and
    worker processes that failed together do not retry together. The jitter is
    seeded by `owner` (a sink's description) and the process id: two sinks, or
    one sink in two workers, draw different waits. It never reaches the output.
    """

    deadline: float = 30.0
    first_delay: float = 0.1
    max_delay: float = 5.0
    owner: str = ""
    jitter: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seed = f"{self.owner}|{os.getpid()}"
        object.__setattr__(self, "jitter", random.Random(seed))

    def delays(self) -> list[float]:
        """The waits between attempts, before jitter, adding up to at most the
        deadline."""
        waits, total, delay = [], 0.0, self.first_delay
        while total + delay <= self.deadline:
            waits.append(delay)
            total += delay
            delay = min(delay * 2, self.max_delay)
        return waits


def call_with_retries(
    action: Callable[[], T],
    policy: RetryPolicy,
    on_retry: Callable[[SinkError], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """action(), again after each retriable SinkError until the policy's deadline.

    Raises the last SinkError when time runs out or the error is not retriable.
    """
    for delay in [*policy.delays(), None]:
        try:
            return action()
        except SinkError as error:
            if not error.retriable or delay is None:
                raise
            if on_retry is not None:
                on_retry(error)
            sleep(delay * (1 + policy.jitter.random() / 4))
    raise AssertionError("unreachable")
