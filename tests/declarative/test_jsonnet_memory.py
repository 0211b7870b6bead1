"""A long run of a template keeps flat memory: the engine's binding never
frees what a native callback returns, so the evaluating child is replaced
after bounded work. Measured: the run's process plus its evaluating child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datagen.declarative.jsonnet import jsonnet_document
from datagen.declarative.jsonnet.template import JsonnetDocumentProvider
from datagen.declarative.problems import Problems

EVENT = Path(__file__).resolve().parents[2] / "examples" / "eventer" / "event.jsonnet"


def resident(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
def test_rss_after_200000_events_is_within_1_5x_of_after_20000() -> None:
    cls = jsonnet_document(EVENT, Problems())
    assert cls is not None
    events = cls(seed=1)
    assert isinstance(events, JsonnetDocumentProvider)
    peaks: dict[int, int] = {}
    for block in range(200):  # blocks of 1,000 reseeded, as a run makes them
        events.reseed(block)
        events.generate_many(1000)
        child = events.evaluator.child_pid()
        total = resident(os.getpid()) + (resident(child) if child else 0)
        window = 20 if block < 20 else 200 if block >= 180 else 0
        peaks[window] = max(peaks.get(window, 0), total)
    started = events.evaluator.started
    events.close()
    assert started > 2  # the child was replaced along the way
    assert peaks[200] <= 1.5 * peaks[20], peaks
