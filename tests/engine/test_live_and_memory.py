"""Live mode keeps its rate; memory stays flat however long a run lasts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from datagen.engine.clock import LiveClock
from datagen.timefmt import parse_rate
from datagen.runs.simulation import write_simulation
from datagen.engine.simulation import Simulation

ROOT = Path(__file__).resolve().parents[2]


class Stopwatch:
    """A sink that notes when each event arrives (send() only, like a user's)."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.events: list[dict[str, Any]] = []

    def send(self, event: dict[str, Any]) -> None:
        self.arrivals.append(time.monotonic())
        self.events.append(event)


def test_live_rate_stays_within_ten_percent() -> None:
    simulation = Simulation("customers", actors=300, seed=1)
    window = simulation.window(live=True, start="2025-01-01T00:00:00Z")
    sink = Stopwatch()
    rate = parse_rate("200/s")
    result = write_simulation(simulation, window, [sink], "test", count=600, rate=rate)
    assert result.count == len(sink.events) == 600
    measured = (len(sink.arrivals) - 1) / (sink.arrivals[-1] - sink.arrivals[0])
    assert abs(measured - 200) / 200 <= 0.10, measured
    # and steadily over each second, not in bursts (looser: a busy machine
    # may stall a release, which the schedule then catches up)
    for second in range(2):
        inside = [
            t for t in sink.arrivals if second <= t - sink.arrivals[0] < second + 1
        ]
        assert 160 <= len(inside) <= 240, (second, len(inside))
    # pacing changes when events leave, never which events
    batch = list(Simulation("customers", actors=300, seed=1).run(count=600))
    assert sink.events == batch


def test_live_start_defaults_to_the_clock() -> None:
    class Fixed(LiveClock):
        def now(self) -> Any:
            from datetime import datetime, timezone

            return datetime(2030, 6, 1, tzinfo=timezone.utc)

    window = Simulation("customers", actors=1).window(live=True, clock=Fixed())
    assert window.end is None
    assert window.iso(window.start) == "2030-06-01T00:00:00.000Z"


PEAK = """
import sys, tracemalloc
from datagen.engine.simulation import Simulation
hours, workers = float(sys.argv[1]), int(sys.argv[2])
simulation = Simulation("customers", actors=300, seed=1)
simulation.population
tracemalloc.start()
count = 0
for batch in simulation.batches(simulation.window(duration=hours * 3600), workers):
    count += len(b"".join(batch.lines()))
print(count, tracemalloc.get_traced_memory()[1])
"""


def peak(hours: float, workers: int) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(hours), str(workers)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    written, peak_bytes = map(int, done.stdout.split())
    return written, peak_bytes


def test_memory_is_flat_as_the_run_gets_longer() -> None:
    for workers in (1, 2):
        short_bytes, short_peak = peak(3, workers)
        long_bytes, long_peak = peak(30, workers)
        assert long_bytes > 9 * short_bytes  # ten times the events ...
        assert long_peak <= 1.5 * short_peak, (workers, short_peak, long_peak)
