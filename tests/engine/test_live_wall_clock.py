"""Live time is real time: each event is stamped with the wall clock when it
leaves, and --rate is met by the model, not by running simulated time ahead.

Real processes writing to a pipe, read as a consumer would: each line's
arrival time against the timestamp it carries."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 20
RATE = 50
#: Each model's timestamp field.
STAMP = {"web": "event_timestamp", "banking": "timestamp", "starfleet": "timestamp"}


class Reader(threading.Thread):
    """Reads a live run's stdout, noting when each line arrived."""

    def __init__(self, name: str, *more: str) -> None:
        super().__init__(daemon=True)
        argv = [sys.executable, str(ROOT / "generate.py"), "simulate", name, "--live"]
        argv += [*more, "-o", "-"]
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.lines: list[tuple[float, dict[str, object]]] = []

    def run(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.time(), orjson.loads(line)))

    def finish(self) -> str:
        """The run's stderr, once it has ended and every line is read."""
        self.join(120)
        assert self.process.stderr is not None
        stderr = self.process.stderr.read().decode()
        assert self.process.wait(10) == 0, stderr
        return stderr


def stamped(event: dict[str, object], field: str) -> float:
    return datetime.fromisoformat(str(event[field]).replace("Z", "+00:00")).timestamp()


def test_a_live_run_is_stamped_with_the_wall_clock_at_its_rate() -> None:
    """20 s at 50/s, for a web, a state machine and a journey model at once:
    every event within 1 s of the clock when it arrived, the rate within 10%."""
    readers = {
        name: Reader(name, "--rate", f"{RATE}/s", "--duration", f"{SECONDS}s")
        for name in STAMP
    }
    for reader in readers.values():
        reader.start()
    for name, reader in readers.items():
        stderr = reader.finish()
        received = reader.lines
        assert f"wrote {len(received):,} {name} events to stdout" in stderr
        late = [arrived - stamped(event, STAMP[name]) for arrived, event in received]
        assert max(late) <= 1.0 and min(late) >= -0.05, (name, min(late), max(late))
        rate = len(received) / SECONDS
        assert abs(rate - RATE) <= 0.1 * RATE, (name, rate)
        # steady, not in bursts: no 5-second stretch far off the rate
        first = received[0][0]
        for part in range(SECONDS // 5):
            inside = sum(
                1 for at, _ in received if part * 5 <= at - first < part * 5 + 5
            )
            assert 0.6 * RATE * 5 <= inside <= 1.4 * RATE * 5, (name, part, inside)


def test_speed_compresses_time_and_the_summary_says_so() -> None:
    reader = Reader("web", "--speed", "60", "--duration", "3s", "--rate", "20/s")
    reader.start()
    stderr = reader.finish()
    times = [stamped(event, "event_timestamp") for _, event in reader.lines]
    assert 120 <= times[-1] - times[0] <= 181  # 3 s of wall clock, 60x
    assert "--speed 60" in stderr
    # --rate is still per wall-clock second: 60 events, give or take what a
    # few web sessions (several pages each, 0.17 s apart at 60x) make of it
    assert 20 <= len(times) <= 150


@pytest.mark.parametrize("name", ["customers", "banking"])
def test_count_ends_a_live_run(name: str) -> None:
    reader = Reader(name, "--rate", "200/s", "--count", "300")
    reader.start()
    reader.finish()
    assert len(reader.lines) == 300


def test_a_model_slower_than_the_rate_says_so() -> None:
    """Journeys are built in one process: thousands of events a second is
    more than this machine makes, and the summary says how far behind."""
    reader = Reader("starfleet", "--rate", "3000/s", "--duration", "2s")
    reader.start()
    stderr = reader.finish()
    assert "behind the clock" in stderr
    assert "fewer events a second than asked" in stderr
