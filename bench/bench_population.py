"""Large populations on one machine: `simulate web` with 10,000, 100,000 and
1,000,000 users over a simulated day, events a second and peak memory (issue 15).

Each run is the whole command `simulate web --actors N --duration 1d --seed 1
-o FILE --quiet` in a fresh interpreter, timed in process (common.timed_cli:
profiles, model, batching and the file sink included, imports not), JSON
lines into a file in the temp folder. Per run: events, wall seconds, events
a second (wall, and a CPU second: user + system, steadier on a busy machine),
and the peak RSS (the child's ru_maxrss). A run of 10 users gives the
interpreter's own peak, so (peak - that) / N is the memory a user costs.

Targets: 100,000 users at >= 0.85x the events a second of 10,000 (the cost of
an event must not grow with the population), 100,000 under 0.5 GiB peak RSS,
and 1,000,000 in a bounded, stated memory. A million users make 24 million
events in a day (about ten minutes here, 26 GB of JSON lines, written to
/dev/null); --million-count N stops that run after N events: its peak is
still the day's, reached at the start, when every user has been made and
waits for its first session (a shorter --duration would drop the users
whose first session comes after it).

Run from the repository: .venv/bin/python bench/bench_population.py
[--repeat 2] [--skip-million] [--million-count N]; --json prints the summary
alone.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from common import run_json, timed_cli  # noqa: E402

SPEED_TARGET = 0.85  # events/s with 100,000 users over those with 10,000
MEMORY_TARGET = 0.5 * 2**30  # bytes: peak RSS with 100,000 users
BASELINE_ACTORS = 10


def worker(actors: int, count: int, out: str) -> dict[str, Any]:
    """One run of a simulated day in this interpreter (count > 0: stopped
    after that many events): its events, seconds, CPU seconds and peak RSS.
    Into /dev/null, the events are read from the run's summary line."""
    import datagen.cli  # noqa: F401 - imported before the clock starts

    argv = ["simulate", "web", "--actors", str(actors), "--duration", "1d"]
    argv += ["--seed", "1", "-o", out]
    if count:
        argv += ["--count", str(count)]
    before = _cpu()
    if out == os.devnull:
        with contextlib.redirect_stderr(io.StringIO()) as summary:
            seconds, _ = timed_cli(argv, out)
        events = int(
            re.findall(r"wrote ([\d,]+) ", summary.getvalue())[-1].replace(",", "")
        )
    else:
        seconds, events = timed_cli([*argv, "--quiet"], out)
    return {
        "events": events,
        "seconds": seconds,
        "cpu_seconds": _cpu() - before,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(actors: int, count: int, out: Path) -> dict[str, Any]:
    """One run in a fresh interpreter, with its rates."""
    figures = run_json([__file__, "--worker", str(actors), str(count), str(out)])
    figures["rate"] = figures["events"] / figures["seconds"]
    figures["cpu_rate"] = figures["events"] / figures["cpu_seconds"]
    return figures


def best(actors: int, count: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """A size's row: its fastest run, each run's rate, the largest peak RSS."""
    fastest = max(runs, key=lambda figures: figures["rate"])
    return {
        "actors": actors,
        "stopped_at": count or None,
        "events": fastest["events"],
        "seconds": fastest["seconds"],
        "rate": fastest["rate"],
        "cpu_rate": max(figures["cpu_rate"] for figures in runs),
        "rates": [round(figures["rate"]) for figures in runs],
        "peak_rss": max(figures["peak_rss_kb"] for figures in runs) * 1024,
    }


def summary(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ratios the issue asks for, each with its target and verdict."""
    base = rows["baseline"]["peak_rss"]
    for row in rows.values():
        row["bytes_per_actor"] = (row["peak_rss"] - base) / row["actors"]
    small, large = rows["10k"], rows["100k"]
    speed = large["rate"] / small["rate"]
    result: dict[str, Any] = {
        "python": platform.python_version(),
        "rows": rows,
        "speed_100k_over_10k": {
            "wall": round(speed, 4),  # printed to 2 places: rounded once
            "cpu": round(large["cpu_rate"] / small["cpu_rate"], 4),
            "target": SPEED_TARGET,
            "met": speed >= SPEED_TARGET,
        },
        "peak_rss_100k": {
            "gib": round(large["peak_rss"] / 2**30, 3),
            "target_gib": MEMORY_TARGET / 2**30,
            "met": large["peak_rss"] < MEMORY_TARGET,
        },
    }
    if "1M" in rows:
        million = rows["1M"]
        result["peak_rss_1m"] = {
            "gib": round(million["peak_rss"] / 2**30, 3),
            "kib_per_actor": round(million["bytes_per_actor"] / 1024, 2),
            "stopped_at": million["stopped_at"],
        }
    return result


def report(result: dict[str, Any]) -> None:
    print(
        "| users | events | seconds | events/s | events/CPU s "
        "| each run's events/s | peak RSS | per user |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for row in result["rows"].values():
        stopped = "" if row["stopped_at"] is None else " (stopped)"
        print(
            f"| {row['actors']:,} "
            f"| {row['events']:,}{stopped} | {row['seconds']:.1f} | {row['rate']:,.0f} "
            f"| {row['cpu_rate']:,.0f} | {', '.join(f'{r:,}' for r in row['rates'])} "
            f"| {row['peak_rss'] / 2**20:,.0f} MiB "
            f"| {row['bytes_per_actor'] / 1024:.2f} KiB |"
        )
    speed, memory = result["speed_100k_over_10k"], result["peak_rss_100k"]
    print(
        f"\n100,000 / 10,000 users, events/s: {speed['wall']:.2f}x wall, "
        f"{speed['cpu']:.2f}x a CPU second "
        f"(target >= {SPEED_TARGET}: {'met' if speed['met'] else 'MISSED'})"
    )
    print(
        f"100,000 users, peak RSS: {memory['gib']:.2f} GiB "
        f"(target < 0.5 GiB: {'met' if memory['met'] else 'MISSED'})"
    )
    million = result.get("peak_rss_1m")
    if million is not None:
        span = (
            "a simulated day"
            if million["stopped_at"] is None
            else f"a simulated day stopped after {million['stopped_at']:,} events"
        )
        print(
            f"1,000,000 users, {span}, peak RSS: {million['gib']:.2f} GiB"
            f" ({million['kib_per_actor']:.2f} KiB a user)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="Runs per size.")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument(
        "--million-count", type=int, default=0, help="Stop 1M after N events."
    )
    parser.add_argument("--json", action="store_true", help="The summary alone.")
    parser.add_argument("--worker", nargs=3, metavar=("N", "COUNT", "OUT"))
    options = parser.parse_args()
    if options.worker:  # no datagen import before: a child's peak RSS counts
        actors, count, out = options.worker  # its parent's until it execs
        print(json.dumps(worker(int(actors), int(count), out)))
        return
    # 10,000 and 100,000 in turn, --repeat rounds: a burst of load from
    # elsewhere on the machine then hits both sizes, not one size's runs
    sizes = {"baseline": (BASELINE_ACTORS, 0), "10k": (10_000, 0)}
    sizes["100k"] = (100_000, 0)
    rounds = [["baseline", "10k", "100k"]] + [["10k", "100k"]] * (options.repeat - 1)
    if not options.skip_million:
        sizes["1M"] = (1_000_000, options.million_count)
        rounds[0].append("1M")
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in sizes}
    with tempfile.TemporaryDirectory(prefix="bench-population-") as folder:
        out = Path(folder) / "events.jsonl"
        for labels in rounds:
            for label in labels:
                # a million users' day is 26 GB of JSON lines: not on the disk
                into = Path(os.devnull) if label == "1M" else out
                runs[label].append(run(*sizes[label], into))
                if not options.json:
                    print(f"  {label}: {json.dumps(runs[label][-1])}", flush=True)
    rows = {label: best(*sizes[label], runs[label]) for label in sizes}
    result = summary(rows)
    if not options.json:
        report(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
