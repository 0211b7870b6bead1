"""Retries with exponential backoff for sinks, bounded in time."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from datagen.errors import SinkError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Try again after 0.1 s, 0.2 s, 0.4 s ... (capped) until `deadline` seconds."""

    deadline: float = 30.0
    first_delay: float = 0.1
    max_delay: float = 5.0

    def delays(self) -> list[float]:
        """The waits between attempts, adding up to at most the deadline."""
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
    jitter = random.Random(0)  # jitter only spreads retries; it never reaches output
    for delay in [*policy.delays(), None]:
        try:
            return action()
        except SinkError as error:
            if not error.retriable or delay is None:
                raise
            if on_retry is not None:
                on_retry(error)
            sleep(delay * (1 + jitter.random() / 4))
    raise AssertionError("unreachable")
