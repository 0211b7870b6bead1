"""--cluster against one process and --workers 2 (whole commands on this
machine), and what a shard of a cluster run costs.

What is measured (wall seconds of the whole command, interpreter start-up
included, the best of --repeat runs, same seed; every output is checked to be
the bytes one process writes):
- `document -p starfleet_account -q 1,000,000` (row engine) and its YAML twin
  `starfleet_account_yaml -q 2,000,000 --engine columnar`, into JSON lines:
  one process, --workers 2, --cluster local:2 writing one file (gather mode:
  the workers' blocks come back and the driver writes every byte) and
  --cluster local:2 -o DIR/ --format jsonl (parts mode: each worker writes
  its part, the driver gets a count and a digest per shard);
- start-up: `connected(local:2)` (a LocalCluster of two worker processes and
  its client) entered, a first task, left, in a fresh interpreter; and the
  same small command with and without --cluster local:2;
- on a running cluster (a `dask scheduler` and two `dask worker`s started
  here, as services.sh does, so wait4 gives the driver's own CPU time): parts
  runs of --sweep documents at --shard-size 1,000 .. 200,000, whose wall and
  driver-CPU seconds against the number of shards have the cost of a shard
  as their slope; gather and parts runs of both providers, for the driver's
  CPU per document (gather) and per shard (parts): what bounds a bigger
  cluster.

Long (about 330 lines): three measurements that share the run and check
helpers, and a report that prints the table for each.

Run from the repository: .venv/bin/python bench/bench_cluster.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common import count_lines, run_json  # noqa: E402

SEED = 1
ROW = ("starfleet_account",)
COLUMNAR = (
    "--providers-dir", str(REPO / "examples"), "-p", "starfleet_account_yaml",
    "--engine", "columnar",
)  # fmt: skip
SHARD_SIZES = (1000, 10_000, 50_000, 200_000)
#: Compiled modules kept, as on a user's machine (see bench_columnar.ENVIRON).
ENVIRON = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
#: Entering and leaving the CLI's own connected(local:2), timed in a fresh
#: interpreter: the last stdout line is JSON (common.run_json).
STARTUP = """
import json, time
began = time.perf_counter()
from datagen.runs.cluster.connect import ClusterSpec, connected
imported = time.perf_counter()
context = connected(ClusterSpec(local_workers=2))
client = context.__enter__()
started = time.perf_counter()
client.submit(sum, [1, 2]).result()
answered = time.perf_counter()
context.__exit__(None, None, None)
stopped = time.perf_counter()
print(json.dumps({"import": imported - began, "start": started - imported,
                  "first task": answered - started, "stop": stopped - answered}))
"""


@dataclass
class Run:
    """One command: wall seconds, the driver's CPU seconds (its own and its
    reaped children's: a LocalCluster's workers count there), its output's
    sha256 and lines."""

    wall: float
    cpu: float
    sha256: str
    lines: int


def document(provider: Sequence[str], count: int, *argv: object) -> list[str]:
    """The argv of a quiet `document` run of `provider` (-p NAME, or a
    declared one's options)."""
    chosen = ["-p", *provider] if len(provider) == 1 else list(provider)
    return [
        sys.executable, str(REPO / "generate.py"), "document", *chosen,
        "-q", str(count), "--seed", str(SEED), "--quiet", *map(str, argv),
    ]  # fmt: skip


def run(argv: list[str], output: Path) -> Run:
    """The command, which must succeed; output is a file, or a folder of
    parts (read in order)."""
    if output.is_dir():
        shutil.rmtree(output)
    output.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, stderr=subprocess.PIPE, env=ENVIRON)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    assert process.stderr is not None
    error = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed:\n{error}")
    files = sorted(output.glob("part-*")) if output.is_dir() else [output]
    digest = hashlib.sha256()
    for path in files:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    lines = sum(count_lines(path) for path in files)
    return Run(wall, usage.ru_utime + usage.ru_stime, digest.hexdigest(), lines)


def best(argv: list[str], output: Path, repeat: int) -> Run:
    """The run with the least wall time of `repeat`."""
    return min((run(argv, output) for _ in range(repeat)), key=lambda r: r.wall)


def compare_modes(
    provider: Sequence[str], count: int, folder: Path, repeat: int
) -> dict[str, Run]:
    """One process, --workers 2, local:2 gather and local:2 parts."""
    file, parts = folder / "out.jsonl", folder / "parts"
    local = ("--cluster", "local:2")
    commands = {
        "one process": (document(provider, count, "-o", file), file),
        "--workers 2": (document(provider, count, "-o", file, "--workers", 2), file),
        "local:2, one file (gather)": (
            document(provider, count, "-o", file, *local),
            file,
        ),
        "local:2, parts": (
            document(provider, count, "-o", f"{parts}/", "--format", "jsonl", *local),
            parts,
        ),
    }
    runs = {}
    for name, (argv, output) in commands.items():
        runs[name] = best(argv, output, repeat)
        print(f"  {name:<28} {runs[name].wall:8.2f} s", flush=True)
    expected = runs["one process"]
    for name, measured in runs.items():
        assert measured.lines == count, (name, measured.lines)
        assert measured.sha256 == expected.sha256, f"{name}: other bytes"
    return runs


def startup(folder: Path, repeat: int) -> dict[str, float]:
    """The LocalCluster's start, first task and stop (best of repeat each),
    and what --cluster local:2 adds to a 1,000-document command."""
    env = {"PYTHONPATH": str(REPO)}
    phases = [run_json(["-c", STARTUP], env=env) for _ in range(repeat)]
    figures = {name: min(p[name] for p in phases) for name in phases[0]}
    file = folder / "small.jsonl"
    plain = best(document(ROW, 1000, "-o", file), file, repeat).wall
    local = best(document(ROW, 1000, "-o", file, "--cluster", "local:2"), file, repeat)
    figures["command without a cluster"] = plain
    figures["command with local:2"] = local.wall
    return figures


def slope(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b x: (a, b)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum(
        (x - mean_x) ** 2 for x, _ in points
    )
    return mean_y - b * mean_x, b


def on_running_cluster(
    sweep: int, columnar_count: int, folder: Path, repeat: int
) -> dict[str, Any]:
    """The shard-size sweep and the driver's load, on a scheduler and two
    workers started here (torn down after)."""
    from tests.cluster.dask_processes import DaskCluster

    file, parts = folder / "out.jsonl", folder / "parts"
    figures: dict[str, Any] = {"sweep": {}, "driver": {}}

    def parts_of(provider: Sequence[str], count: int, *argv: object) -> list[str]:
        return document(provider, count, "-o", f"{parts}/", "--format", "jsonl", *argv)

    with DaskCluster.start(workers=2) as cluster:
        on = ("--cluster", cluster.address)
        # The workers' first task imports what a run needs: not measured.
        best(document(ROW, 10_000, "-o", file, *on), file, 1)
        best(document(COLUMNAR, 10_000, "-o", file, *on), file, 1)
        for size in SHARD_SIZES:
            measured = best(parts_of(ROW, sweep, *on, "--shard-size", size), parts, 1)
            shards = -(-sweep // size)
            figures["sweep"][size] = {"shards": shards, **asdict(measured)}
            print(
                f"  shard size {size:>7,}: {shards:>4} shards {measured.wall:7.2f} s"
                f" wall, driver CPU {measured.cpu:6.2f} s",
                flush=True,
            )
        for name, provider, count in (
            ("row", ROW, sweep),
            ("columnar", COLUMNAR, columnar_count),
        ):
            for mode, argv, output in (
                ("gather", document(provider, count, "-o", file, *on), file),
                ("parts", parts_of(provider, count, *on), parts),
            ):
                measured = best(argv, output, repeat)
                size = (
                    output.stat().st_size
                    if output.is_file()
                    else sum(p.stat().st_size for p in output.glob("part-*"))
                )
                figures["driver"][f"{name} {mode}"] = {
                    "count": count,
                    "bytes": size,
                    **asdict(measured),
                }
                print(
                    f"  {name} {mode:<6} {count:>9,} docs {measured.wall:7.2f} s"
                    f" wall, driver CPU {measured.cpu:6.2f} s",
                    flush=True,
                )
    points = [(f["shards"], f["wall"]) for f in figures["sweep"].values()]
    cpu_points = [(f["shards"], f["cpu"]) for f in figures["sweep"].values()]
    # Wall time: from the two ends of the sweep (same work, 200x the shards),
    # which a noisy middle point moves least; CPU: the least-squares slope.
    (few, few_wall), (many, many_wall) = min(points), max(points)
    figures["per shard wall"] = (many_wall - few_wall) / (many - few)
    figures["per shard driver cpu"] = slope(cpu_points)[1]
    return figures


def report(figures: dict[str, Any]) -> None:
    """A Markdown summary, then the figures as one JSON line."""
    print("\n| provider | run | seconds | docs/s | x one process |")
    print("| --- | --- | ---: | ---: | ---: |")
    for provider, runs in figures["modes"].items():
        count = runs["one process"]["lines"]
        base = runs["one process"]["wall"]
        for name, measured in runs.items():
            wall = measured["wall"]
            print(
                f"| {provider} | {name} | {wall:.2f} | {count / wall:,.0f} |"
                f" {base / wall:.2f} |"
            )
    start = figures["startup"]
    print(
        f"\nlocal:2 start-up: import {start['import']:.2f} s, start"
        f" {start['start']:.2f} s, first task {start['first task']:.3f} s, stop"
        f" {start['stop']:.2f} s; a 1,000-document command"
        f" {start['command without a cluster']:.2f} s alone,"
        f" {start['command with local:2']:.2f} s with --cluster local:2"
    )
    running = figures["running"]
    print("\n| shard size | shards | wall s | driver CPU s |")
    print("| ---: | ---: | ---: | ---: |")
    for size, sweep in running["sweep"].items():
        print(
            f"| {int(size):,} | {sweep['shards']} | {sweep['wall']:.2f} |"
            f" {sweep['cpu']:.2f} |"
        )
    print(
        f"\ncost of a shard: {running['per shard wall'] * 1000:.1f} ms wall"
        f" (two workers), {running['per shard driver cpu'] * 1000:.2f} ms of the"
        " driver's CPU"
    )
    print(
        "\n| driver load | docs | MB | wall s | driver CPU s |"
        " gather adds, µs/doc | gather adds, MB/s of CPU |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    driver = running["driver"]
    for name, load in driver.items():
        added = ""
        if name.endswith("gather"):
            # What the driver does beyond a parts run of the same documents.
            cpu = max(
                load["cpu"] - driver[name[: -len("gather")] + "parts"]["cpu"], 1e-9
            )
            added = (
                f" {cpu / load['count'] * 1e6:.2f} | {load['bytes'] / cpu / 1e6:,.0f}"
            )
        print(
            f"| {name} | {load['count']:,} | {load['bytes'] / 1e6:,.0f} |"
            f" {load['wall']:.2f} | {load['cpu']:.2f} |{added or ' |'} |"
        )
    print("\n" + json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--row", type=int, default=1_000_000)
    parser.add_argument("--columnar", type=int, default=2_000_000)
    parser.add_argument("--sweep", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small counts")
    args = parser.parse_args()
    if args.quick:
        args.row, args.columnar, args.sweep = 50_000, 200_000, 400_000
    folder = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "modes": {}}
    try:
        print("cluster start-up (local:2):", flush=True)
        figures["startup"] = startup(folder, max(args.repeat, 3))
        for name, provider, count in (
            ("starfleet_account (row)", ROW, args.row),
            ("starfleet_account_yaml (columnar)", COLUMNAR, args.columnar),
        ):
            print(f"{count:,} documents of {name}:", flush=True)
            runs = compare_modes(provider, count, folder, args.repeat)
            figures["modes"][name] = {k: asdict(v) for k, v in runs.items()}
        print(f"on a running scheduler and two workers ({args.sweep:,} row docs):")
        figures["running"] = on_running_cluster(
            args.sweep, args.columnar, folder, args.repeat
        )
        report(figures)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
