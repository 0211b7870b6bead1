"""The cost of labelled faults (issue 13): throughput with and without --faults.

Each workload runs through the CLI into a JSON lines file in /dev/shm (or a
temp folder), first clean, then with 1% of every fault kind that applies to
it (and the faults manifest written); rounds alternate the two, so a burst
of load elsewhere hits both alike, and each figure is the best of --repeat.
The rate is the source's records a second (duplicates the faults insert are
not counted), from the run's own summary (start-up excluded):
- `simulate web --count N`: null, wrong_type, out_of_range, malformed,
  drift, duplicate, late, out_of_order;
- `document -p starfleet_account -q N`: the same less late and out_of_order
  (a document has no event time).
The target: faults cost at most 15% (ratio >= 0.85).

Run from the repository: .venv/bin/python bench/bench_faults.py
[--count 100000] [--repeat 3] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ELAPSED = re.compile(r" in ([\d.]+)s ")
SEED = 7
ALL = ("null", "wrong_type", "out_of_range", "malformed", "drift", "duplicate")
WORKLOADS = {
    "simulate web": (
        ["simulate", "web", "--count"],
        ALL + ("late", "out_of_order"),
    ),
    "document starfleet_account": (
        ["document", "-p", "starfleet_account", "--format", "jsonl", "-q"],
        ALL,
    ),
}


def rate(argv: list[str], count: int) -> float:
    """Source records a second of one CLI run, from its summary line."""
    command = [sys.executable, str(REPO / "generate.py"), *argv]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    match = ELAPSED.search(done.stderr)
    assert match, done.stderr
    return count / float(match.group(1))


def measure(
    name: str, count: int, repeat: int, workers: int, folder: Path
) -> tuple[float, float]:
    """(clean, faulted) records a second of a workload, the best of repeat."""
    head, kinds = WORKLOADS[name]
    base = [*head, str(count), "--seed", str(SEED), "--workers", str(workers)]
    base += ["-o", str(folder / "out.jsonl")]
    spec = ",".join(f"{kind}=0.01" for kind in kinds)
    faulted = [*base, "--faults", spec, "--faults-manifest", str(folder / "f.jsonl")]
    clean_best = faulted_best = 0.0
    for _ in range(repeat):
        clean_best = max(clean_best, rate(base, count))
        faulted_best = max(faulted_best, rate(faulted, count))
    return clean_best, faulted_best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    shm = Path("/dev/shm")
    root = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=root) as name:
        folder = Path(name)
        print(f"{'workload':<28} {'clean/s':>10} {'faulted/s':>10} {'ratio':>6}")
        for workload in WORKLOADS:
            clean, faulted = measure(
                workload, args.count, args.repeat, args.workers, folder
            )
            print(
                f"{workload:<28} {clean:>10,.0f} {faulted:>10,.0f} "
                f"{faulted / clean:>6.2f}"
            )


if __name__ == "__main__":
    main()
