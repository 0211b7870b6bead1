"""Writer threads lower the GIL switch interval only while they run, and only
inside fast_thread_switching()."""

from __future__ import annotations

import sys
from typing import Any

from datagen.sinks.batching import (
    WRITER_SWITCH_INTERVAL,
    BatchingSink,
    fast_thread_switching,
)
from datagen.sinks.retry import RetryPolicy


class _Recording(BatchingSink):
    name = "recording"
    background = True

    def __init__(self) -> None:
        super().__init__(batch_size=2, policy=RetryPolicy(deadline=0))
        self.written: list[dict[str, Any]] = []
        self.intervals: list[float] = []

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        self.intervals.append(sys.getswitchinterval())
        self.written.extend(events)


def test_switch_interval_is_low_while_writers_run_and_restored_after() -> None:
    before = sys.getswitchinterval()
    with fast_thread_switching():
        first, second = _Recording(), _Recording()
        first.send_many([{"id": 1}, {"id": 2}])
        second.send_many([{"id": 3}, {"id": 4}])
        first.close()
        assert sys.getswitchinterval() == min(before, WRITER_SWITCH_INTERVAL)
        delivery = second.close()
        assert sys.getswitchinterval() == before
    assert first.intervals == [min(before, WRITER_SWITCH_INTERVAL)]
    assert [e["id"] for e in second.written] == [3, 4]
    assert delivery.acknowledged == 2 and delivery.complete


def test_switch_interval_is_left_alone_unless_asked() -> None:
    before = sys.getswitchinterval()
    assert before > WRITER_SWITCH_INTERVAL  # else the test could not tell
    sink = _Recording()
    sink.send_many([{"id": 1}, {"id": 2}])
    sink.flush()
    assert sys.getswitchinterval() == before
    delivery = sink.close()
    assert sink.intervals == [before] and delivery.complete
    assert sys.getswitchinterval() == before
