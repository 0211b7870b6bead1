"""Rate shapes through `simulate`, as a user types them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]


def simulate(*argv: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "generate.py"), "simulate", *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_a_live_run_with_bursts_carries_them_on_the_wall_clock(tmp_path: Path) -> None:
    out = tmp_path / "burst.jsonl"
    done = simulate(
        "customers", "--live", "--rate", "20/s", "--burst", "300/s@1s every 2s",
        "--duration", "5s", "--seed", 3, "-o", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "bursts of 300/s for 1s every 2s" in done.stderr
    seconds = Counter(
        orjson.loads(line)["event_time"][:19] for line in out.read_bytes().splitlines()
    )
    total = sum(seconds.values())
    # 20/s for 5 s, plus two bursts of 280/s more for 1 s each: 660 expected
    assert 500 <= total <= 820, seconds
    busiest = sorted(seconds.values())[-2:]
    quiet = sorted(seconds.values())[:2]
    assert min(busiest) > 5 * max(quiet), seconds


def test_a_burst_without_live_is_one_line_and_exit_2() -> None:
    done = simulate("customers", "--burst", "300/s@1s every 2s", "--count", 5)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
    assert "--live" in done.stderr
