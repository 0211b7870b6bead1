"""Retry waits are jittered per sink: sinks that fail together retry apart."""

from __future__ import annotations

import pytest

from datagen.errors import SinkError
from datagen.sinks.retry import RetryPolicy, call_with_retries


def _waits(policy: RetryPolicy) -> list[float]:
    """The sleeps call_with_retries makes for an action that always fails."""
    waits: list[float] = []

    def fail() -> None:
        raise SinkError("down", retriable=True)

    with pytest.raises(SinkError):
        call_with_retries(fail, policy, sleep=waits.append)
    return waits


def test_two_sinks_do_not_retry_in_lockstep() -> None:
    first = _waits(RetryPolicy(deadline=3, owner="kafka://h:9092/a"))
    second = _waits(RetryPolicy(deadline=3, owner="kafka://h:9092/b"))
    assert len(first) == len(second) == 4  # 0.1 + 0.2 + 0.4 + 0.8 <= 3
    assert all(a != b for a, b in zip(first, second))


def test_waits_stay_within_a_quarter_above_the_backoff() -> None:
    policy = RetryPolicy(deadline=3, owner="postgresql://h/db table t")
    for wait, delay in zip(_waits(policy), policy.delays(), strict=True):
        assert delay <= wait <= delay * 1.25


def test_one_sink_keeps_drawing_rather_than_starting_over() -> None:
    policy = RetryPolicy(deadline=1, owner="http://h/in")
    assert _waits(policy) != _waits(policy)
