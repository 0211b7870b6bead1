"""Large populations on one machine: `simulate web` with 10,000, 100,000 and
1,000,000 users, events a second and peak memory (issue 15).

Each run is the whole command `simulate web --actors N --duration D --seed 1
-o FILE --quiet` in a fresh interpreter (bench_simulate's run_ours: timed in
process, profiles, model, batching and the file sink included, imports not),
JSON lines into a file in the temp folder. Per run: events, wall seconds,
events a second (wall, and a CPU second: user + system, steadier on a busy
machine), and the peak RSS (the child's ru_maxrss). A run of 10 users gives
the interpreter's own peak, so (peak - that) / N is the memory an actor costs.

Targets: 100,000 users at >= 0.85x the events a second of 10,000 (the cost of
an event must not grow with the population), 100,000 under 0.5 GiB peak RSS,
and 1,000,000 in a bounded, stated memory. A million users over a whole day
make 24 million events (about ten minutes here), so they run --million-hours
(default 2) unless --full-day: the peak comes at the start, when every user
is made and waits for its first session, so a shorter run shows it.

Run from the repository: .venv/bin/python bench/bench_population.py
[--repeat 2] [--skip-million] [--full-day]; --json prints the summary alone.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from common import run_json  # noqa: E402

DAY = 86_400.0
SPEED_TARGET = 0.85  # events/s with 100,000 users over those with 10,000
MEMORY_TARGET = 0.5 * 2**30  # bytes: peak RSS with 100,000 users
BASELINE_ACTORS = 10


def worker(actors: int, seconds: float, out: str) -> dict[str, Any]:
    """One run in this interpreter: bench_simulate's figures, plus the CPU
    seconds the command took (the imports' left out)."""
    import datagen.cli  # noqa: F401 - imported before the clock, as run_ours does
    from bench_simulate import run_ours

    before = _cpu()
    figures = run_ours("web", actors, seconds, out)
    figures["cpu_seconds"] = _cpu() - before
    return figures


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(actors: int, seconds: float, repeat: int, out: Path) -> dict[str, Any]:
    """The best of `repeat` runs (events a second), with each run's rates and
    the largest peak RSS."""
    runs = [
        run_json([__file__, "--worker", str(actors), str(seconds), str(out)])
        for _ in range(repeat)
    ]
    for run in runs:
        run["rate"] = run["events"] / run["seconds"]
        run["cpu_rate"] = run["events"] / run["cpu_seconds"]
    fastest = max(runs, key=lambda run: run["rate"])
    return {
        "actors": actors,
        "duration_seconds": seconds,
        "events": fastest["events"],
        "seconds": fastest["seconds"],
        "rate": fastest["rate"],
        "cpu_rate": max(run["cpu_rate"] for run in runs),
        "rates": [round(run["rate"]) for run in runs],
        "peak_rss": max(run["peak_rss_kb"] for run in runs) * 1024,
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
            "wall": round(speed, 3),
            "cpu": round(large["cpu_rate"] / small["cpu_rate"], 3),
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
            "duration_seconds": million["duration_seconds"],
        }
    return result


def report(result: dict[str, Any]) -> None:
    print(
        "| users | simulated | events | seconds | events/s | events/CPU s "
        "| each run's events/s | peak RSS | per user |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for row in result["rows"].values():
        print(
            f"| {row['actors']:,} | {row['duration_seconds'] / 3600:g} h "
            f"| {row['events']:,} | {row['seconds']:.1f} | {row['rate']:,.0f} "
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
        print(
            f"1,000,000 users over {million['duration_seconds'] / 3600:g} simulated"
            f" hours, peak RSS: {million['gib']:.2f} GiB"
            f" ({million['kib_per_actor']:.2f} KiB a user)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="Runs per size.")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--full-day", action="store_true", help="1M for a day.")
    parser.add_argument(
        "--million-hours", type=float, default=2.0, help="1M's simulated hours."
    )
    parser.add_argument("--json", action="store_true", help="The summary alone.")
    parser.add_argument("--worker", nargs=3, metavar=("N", "SECONDS", "OUT"))
    options = parser.parse_args()
    if options.worker:
        actors, seconds, out = options.worker
        print(json.dumps(worker(int(actors), float(seconds), out)))
        return
    # no datagen import here: a child's peak RSS counts this process's
    # memory until it execs
    million = DAY if options.full_day else options.million_hours * 3600.0
    sizes = [("baseline", BASELINE_ACTORS, 3600.0, 1)]
    sizes += [
        ("10k", 10_000, DAY, options.repeat),
        ("100k", 100_000, DAY, options.repeat),
    ]
    if not options.skip_million:
        sizes.append(("1M", 1_000_000, million, 1))
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-population-") as folder:
        out = Path(folder) / "events.jsonl"
        for label, actors, seconds, repeat in sizes:
            rows[label] = measure(actors, seconds, repeat, out)
            if not options.json:
                print(f"  {label}: {json.dumps(rows[label])}", flush=True)
    result = summary(rows)
    if not options.json:
        report(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
