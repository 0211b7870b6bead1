"""Set-up a newcomer waits for, and live streams against the wall clock (issue 10).

- `make demo` from a fresh clone of this checkout: the seconds it takes with
  the pip cache warm (target: under 60 s), with each `==>` step's time.
- `simulate NAME --live --rate R --duration D` per model, read from a pipe as a
  consumer would: how late each event arrives after the time it carries (the
  target: within 1 s of the wall clock) and the rate it carried (within 10%).

Run from the repository: .venv/bin/python bench/bench_setup_and_live.py
[--skip-demo] [--seconds 20] [--rate 50]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
#: Each model's timestamp field.
STAMP = {
    "web": "event_timestamp",
    "banking": "timestamp",
    "starfleet": "timestamp",
    "customers": "event_time",
}


def time_make_demo() -> None:
    """A fresh clone's `make demo`, step by step (each `==>` line's arrival)."""
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "datagen"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        started = time.monotonic()
        process = subprocess.Popen(
            ["make", "demo"],
            cwd=clone,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        marks = []
        for line in process.stdout:
            if line.startswith("==>"):
                marks.append((time.monotonic() - started, line.strip()))
        process.wait()
        total = time.monotonic() - started
    print(f"make demo from a fresh clone: {total:.1f} s (exit {process.returncode})")
    for at, line in marks:
        print(f"  {at:6.1f} s  {line[:90]}")
    verdict = "ok" if total < 60 and process.returncode == 0 else "SHORT"
    print(f"  target < 60 s: {verdict}")


def live(name: str, rate: float, seconds: float) -> None:
    """One live run read from its pipe: lateness and rate."""
    argv = [sys.executable, str(ROOT / "generate.py"), "simulate", name, "--live"]
    argv += ["--rate", f"{rate:g}/s", "--duration", f"{seconds:g}s", "-o", "-"]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    arrived: list[tuple[float, bytes]] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            arrived.append((time.time(), line))

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    assert process.stderr is not None
    summary = process.stderr.read().decode().strip().splitlines()[-1]
    process.wait()
    late = sorted(at - stamped(orjson.loads(line)[STAMP[name]]) for at, line in arrived)
    carried = len(arrived) / seconds
    print(
        f"  {name:<10} {len(arrived):>7,} events  {carried:8.1f}/s "
        f"({carried / rate - 1:+.1%})  late: median {late[len(late) // 2]:.3f} s,"
        f" max {late[-1]:.3f} s"
    )
    print(f"             {summary[summary.find(';') + 2:] if ';' in summary else ''}")


def stamped(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=50.0)
    options = parser.parse_args()
    if not options.skip_demo:
        time_make_demo()
    for rate in (options.rate, 100 * options.rate):
        print(f"live, {rate:g}/s for {options.seconds:g} s, read from a pipe:")
        for name in STAMP:
            live(name, rate, options.seconds)


if __name__ == "__main__":
    main()
