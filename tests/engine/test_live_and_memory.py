"""Live mode keeps its rate; memory stays flat however long a run lasts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from datagen.engine.clock import LiveClock
from datagen.engine.pacing import Pace
from datagen.timefmt import parse_time
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


def test_a_live_run_from_start_plays_the_batch_events_at_speed() -> None:
    """--live --start T: the batch run's events, each released when its time
    comes on a clock running --speed times as fast."""
    simulation = Simulation("customers", actors=300, seed=1)
    window = simulation.window(start="2025-01-01T00:00:00Z")
    sink = Stopwatch()
    speed = 60.0
    result = write_simulation(
        simulation, window, [sink], "test", count=400, pace=Pace(speed)
    )
    assert result.count == len(sink.events) == 400
    batch = list(Simulation("customers", actors=300, seed=1).run(count=400))
    assert sink.events == batch  # pacing changes when events leave, never which
    times = [parse_time(e["event_time"]).timestamp() for e in sink.events]
    for left, (moment, _event) in zip(sink.arrivals, zip(times, sink.events)):
        due = (moment - window.start) / speed
        late = (left - sink.arrivals[0]) - (due - (times[0] - window.start) / speed)
        # measured from the first release, itself up to a sleep late
        assert -0.1 <= late <= 0.5, late


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
