"""The columnar engine against bare Mimesis and against its encoders' ceiling,
measured in one run for the YAML twin of starfleet_account
(examples/starfleet_account.yaml, every field vectorised).

What is measured (each the best of --repeat runs, same seed):
- bare Mimesis: Schema(lambda: provider.create_schema(field)).create() of the
  same fields (the Python starfleet_account provider), nothing written; timed
  on --bare documents and scaled to --count (it is linear: 75 s for 1M here);
- the whole `document` command (interpreter start-up included, wall time) for
  --count documents: JSON lines and Parquet, --workers 1 and 2, into a file
  on the disk that holds the repository's temp folder;
- the encoders' ceiling: the same rows made beforehand (read back from the
  command's own output), then orjson writing them as JSON lines
  (b"".join(map(dumps_line, rows)) in blocks, written to a file) and Arrow
  writing the same table to Parquet; the command's rate over the ceiling's
  is the ratio the issue asks for (aim: 0.7);
- memory: the command's peak RSS (wait4) for 100,000 and 10x--count
  documents into a JSON lines file (flat with count within 1.2x);
- with --profile: one in-process run of --count under cProfile, its time
  split by where it goes.

Run from the repository: .venv/bin/python bench/bench_columnar.py [--quick]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PROVIDER = "starfleet_account_yaml"
TWIN_OF = "starfleet_account"
SEED = 1
#: The commands' environment: compiled modules kept, as on a user's machine
#: (this machine's shells set PYTHONDONTWRITEBYTECODE, which recompiles every
#: module at each start: 0.2 s more start-up).
ENVIRON = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TARGETS = {
    "jsonl / bare Mimesis": 30.0,
    "parquet / bare Mimesis": 25.0,
    "jsonl / orjson ceiling": 0.7,
    "parquet / Arrow ceiling": 0.7,
    "workers 2 / workers 1": 1.7,
    "peak RSS, many / 100k": 1.2,
}


def best(run: Callable[[], float], repeat: int) -> float:
    """The least of `repeat` results of run() (seconds, or bytes)."""
    return min(run() for _ in range(repeat))


def bare_mimesis_seconds(count: int, scale_to: int) -> float:
    """Seconds bare Mimesis takes for scale_to documents, from count timed."""
    import document_providers  # noqa: F401 - registers starfleet_account
    from mimesis import Schema

    from datagen.documents import create_provider

    provider = create_provider(TWIN_OF, seed=SEED)
    field = provider.field
    block = min(count, 10_000)  # a list of 1M live dicts slows the GC
    schema = Schema(lambda: provider.create_schema(field), iterations=block)
    started = time.perf_counter()
    for _ in range(count // block):
        schema.create()
    seconds = time.perf_counter() - started
    return seconds * scale_to / ((count // block) * block)


def command(
    count: int, output: Path, workers: int = 1, engine: str = "auto"
) -> list[str]:
    return [
        sys.executable,
        str(REPO / "generate.py"),
        "document",
        "--providers-dir",
        str(REPO / "examples"),
        "-p",
        PROVIDER,
        "-q",
        str(count),
        "--seed",
        str(SEED),
        "--workers",
        str(workers),
        "--engine",
        engine,
        "--quiet",
        "-o",
        str(output),
    ]


def run_command(argv: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one command, which must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=REPO, stderr=subprocess.PIPE, env=ENVIRON)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    assert process.stderr is not None
    error = process.stderr.read().decode()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed:\n{error}")
    return wall, usage.ru_maxrss * 1024


def command_seconds(
    count: int, output: Path, repeat: int, workers: int = 1, engine: str = "auto"
) -> float:
    """Best wall seconds of the whole command; the output is kept."""

    def once() -> float:
        output.unlink(missing_ok=True)
        return run_command(command(count, output, workers, engine))[0]

    return best(once, repeat)


def orjson_ceiling_seconds(jsonl: Path, folder: Path, repeat: int) -> float:
    """orjson writing the file's rows, made beforehand, as JSON lines in
    blocks of 50,000 (as the engine does), file write included."""
    import orjson

    from datagen.encoders import dumps_line

    with jsonl.open("rb") as file:
        rows = [orjson.loads(line) for line in file]
    blocks = [rows[at : at + 50_000] for at in range(0, len(rows), 50_000)]
    target = folder / "ceiling.jsonl"

    def once() -> float:
        started = time.perf_counter()
        with target.open("wb") as out:
            for block in blocks:
                out.write(b"".join(map(dumps_line, block)))
        return time.perf_counter() - started

    seconds = best(once, repeat)
    target.unlink()
    return seconds


def arrow_ceiling_seconds(parquet: Path, folder: Path, repeat: int) -> float:
    """Arrow writing the file's table, read beforehand, in row groups of 50,000."""
    import pyarrow.parquet as pq

    table = pq.read_table(parquet)
    target = folder / "ceiling.parquet"

    def once() -> float:
        started = time.perf_counter()
        pq.write_table(table, target, row_group_size=50_000)
        return time.perf_counter() - started

    seconds = best(once, repeat)
    target.unlink()
    return seconds


def startup_seconds(repeat: int) -> float:
    """The interpreter and CLI start-up the command's wall time includes."""
    argv = [sys.executable, str(REPO / "generate.py"), "--version"]
    return best(lambda: run_command(argv)[0], repeat)


def profile(count: int, folder: Path) -> None:
    """One in-process columnar run under cProfile, its time by area."""
    from datagen.declarative import loader
    from datagen.runs.documents import DocumentJob, write_documents

    loader.use_folders([REPO / "examples"])  # registers starfleet_account_yaml
    output = folder / "profiled.jsonl"
    job = DocumentJob(PROVIDER, count, SEED, output, format="jsonl")
    profiler = cProfile.Profile()
    profiler.runcall(write_documents, job)
    stats = pstats.Stats(profiler)
    areas: dict[str, float] = {}
    for (file, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        areas[_area(file, function)] = areas.get(_area(file, function), 0.0) + row[2]
    total = sum(areas.values())
    print(f"\nprofile of {count:,} documents in one process ({total:.2f} s):")
    for area, seconds in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {area:<40} {seconds:6.2f} s  {seconds / total:5.1%}")
    output.unlink()


def _area(file: str, function: str) -> str:
    """Where a profiled function's own time goes."""
    if file == "~":
        if "pyarrow" in function or "compute" in function or "Array" in function:
            return "Arrow (compute, arrays)"
        if "numpy" in function or "ndarray" in function or "Generator" in function:
            return "numpy (draws, tables)"
        if "write" in function:
            return "file writes"
        return "other built-ins"
    for part, area in (
        ("/pyarrow/", "Arrow (compute, arrays)"),
        ("/numpy/", "numpy (draws, tables)"),
        ("/datagen/engine/columns/", "datagen columnar engine (Python)"),
        ("/datagen/", "datagen run, sinks (Python)"),
    ):
        if part in file:
            return area
    return "other Python"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--bare", type=int, default=100_000)
    parser.add_argument("--many", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small counts, once")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.count, args.bare, args.many, args.repeat = 200_000, 20_000, 1_000_000, 1
    count, repeat = args.count, args.repeat
    folder = Path(tempfile.mkdtemp(prefix="bench-columnar-"))
    try:
        figures = measure(count, args.bare, args.many, repeat, folder)
        report(figures, count, args.many)
        if args.profile:
            profile(count, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(
    count: int, bare: int, many: int, repeat: int, folder: Path
) -> dict[str, float]:
    jsonl, parquet = folder / "out.jsonl", folder / "out.parquet"
    # Peak RSS first: a child's peak counts the memory of the process that
    # forked it until it exec'd, so the bench must not hold rows yet.
    small = folder / "small.jsonl"
    rss_small = float(run_command(command(100_000, small))[1])
    small.unlink()
    rss_many = float(run_command(command(many, small))[1])
    small.unlink()
    seconds = {
        "startup": startup_seconds(repeat),
        "bare Mimesis": bare_mimesis_seconds(bare, count),
        "jsonl": command_seconds(count, jsonl, repeat),
        "jsonl, workers 2": command_seconds(count, jsonl, repeat, workers=2),
        "parquet": command_seconds(count, parquet, repeat),
        "parquet, workers 2": command_seconds(count, parquet, repeat, workers=2),
    }
    command_seconds(count, jsonl, 1)  # the rows the ceilings write
    seconds["orjson ceiling"] = orjson_ceiling_seconds(jsonl, folder, repeat)
    seconds["Arrow ceiling"] = arrow_ceiling_seconds(parquet, folder, repeat)
    seconds["rss 100k"], seconds["rss many"] = rss_small, rss_many
    return seconds


def report(seconds: dict[str, float], count: int, many: int) -> None:
    print(f"{count:,} documents of {PROVIDER} (wall seconds, start-up included):")
    for name in (
        "startup",
        "bare Mimesis",
        "jsonl",
        "jsonl, workers 2",
        "parquet",
        "parquet, workers 2",
        "orjson ceiling",
        "Arrow ceiling",
    ):
        print(f"  {name:<22} {seconds[name]:8.2f} s  {count / seconds[name]:>12,.0f}/s")
    ratios = {
        "jsonl / bare Mimesis": seconds["bare Mimesis"] / seconds["jsonl"],
        "parquet / bare Mimesis": seconds["bare Mimesis"] / seconds["parquet"],
        "jsonl / orjson ceiling": seconds["orjson ceiling"] / seconds["jsonl"],
        "parquet / Arrow ceiling": seconds["Arrow ceiling"] / seconds["parquet"],
        "workers 2 / workers 1": seconds["jsonl"] / seconds["jsonl, workers 2"],
        "peak RSS, many / 100k": seconds["rss many"] / seconds["rss 100k"],
    }
    print(
        f"  peak RSS: 100,000 {seconds['rss 100k'] / 2**20:.0f} MiB, "
        f"{many:,} {seconds['rss many'] / 2**20:.0f} MiB"
    )
    print("\n| figure | measured | target |\n|---|---|---|")
    for name, ratio in ratios.items():
        target = TARGETS[name]
        better = ratio <= target if name.startswith("peak") else ratio >= target
        mark = "" if better else " (short)"
        print(f"| {name} | {ratio:.2f}x{mark} | {target}x |")


if __name__ == "__main__":
    main()
