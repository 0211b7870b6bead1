"""Documents per second for starfleet_account: datagen's formats and workers next to
bare Mimesis, measured in one run.

What is measured (each the best of --repeat runs, same seed):
- bare Mimesis: Schema(lambda: provider.create_schema(field), iterations=N).create(),
  the provider's own fields with nothing written;
- jsonl and json (one pretty file per document) through the library API,
  datagen.runs.documents.write_documents, on /dev/shm (tmpfs) and on the disk that
  holds the repository;
- --workers 1 and --workers 2 (jsonl) through the CLI in a subprocess, the rate
  taken from the run's own summary line (interpreter start-up excluded; the wall
  time including it is printed too);
- raw file creation on each filesystem: write a small file under a temp name
  and rename it, the cost floor of one file per document.
With --profile, the jsonl path is run once under cProfile and its time is split
by where it goes (Mimesis, datagen, orjson, file writes, the rest).

Run from the repository: .venv/bin/python bench/bench_documents.py [--quick]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import document_providers  # noqa: E402,F401 - registers the built-in providers
from mimesis import Schema  # noqa: E402

from datagen.files.atomic import write_atomic  # noqa: E402
from datagen.runs.blocks import BLOCK_SIZE  # noqa: E402
from datagen.runs.documents import DocumentJob, write_documents  # noqa: E402
from datagen.documents import create_provider  # noqa: E402
from datagen.encoders import JsonEncoder, JsonLinesEncoder, dumps_pretty  # noqa: E402

PROVIDER = "starfleet_account"
SEED = 1
TMPFS = Path("/dev/shm")
TARGETS = {
    "jsonl / bare Mimesis": 0.8,
    "jsonl / bare Mimesis in blocks": 0.8,
    "workers 2 / workers 1": 1.6,
    "json files on tmpfs / jsonl": 0.5,
}


def best_seconds(run: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` timed calls of run()."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def bare_mimesis_rate(count: int, repeat: int, block: int | None = None) -> float:
    """Docs/s of the provider's schema filled by Mimesis alone (set-up untimed):
    Schema(...).create() of count at once, or of `block` at a time (a list of
    count live documents makes Python's cyclic GC slower, which blocks avoid)."""
    provider = create_provider(PROVIDER, seed=SEED)
    field = provider.field
    size = block or count
    schema = Schema(lambda: provider.create_schema(field), iterations=size)

    def run() -> None:
        for _ in range(count // size):
            schema.create()

    return (count // size) * size / best_seconds(run, repeat)


def library_run(count: int, fmt: str, folder: Path) -> Callable[[], object]:
    """A write_documents call into a fresh output under folder, for best_seconds."""
    output = folder / ("documents.jsonl" if fmt == "jsonl" else "documents")

    def run() -> object:
        if output.is_dir():
            shutil.rmtree(output)
        output.unlink(missing_ok=True)
        return write_documents(
            DocumentJob(PROVIDER, count, seed=SEED, output=output, format=fmt)
        )

    return run


def library_rate(count: int, fmt: str, folder: Path, repeat: int) -> float:
    """Best docs/s as the run measures itself; the output is removed, untimed,
    before each run (the first run also builds the process's provider)."""
    run = library_run(count, fmt, folder)
    elapsed = min(run().elapsed for _ in range(repeat))  # type: ignore[attr-defined]
    shutil.rmtree(folder / "documents", ignore_errors=True)
    (folder / "documents.jsonl").unlink(missing_ok=True)
    return count / elapsed


_SUMMARY = re.compile(r" in ([0-9.]+)s \(")


def cli_run(count: int, workers: int, folder: Path) -> tuple[float, float]:
    """(seconds the run reported, wall seconds with interpreter start-up)."""
    output = folder / f"cli-{workers}.jsonl"
    command = [
        sys.executable,
        str(REPO / "generate.py"),
        "document",
        "-p",
        PROVIDER,
        "-q",
        str(count),
        "--format",
        "jsonl",
        "--seed",
        str(SEED),
        "--workers",
        str(workers),
        "-o",
        str(output),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stderr}")
    match = _SUMMARY.search(done.stderr)
    if match is None:
        raise SystemExit(f"bench: no summary line in: {done.stderr!r}")
    output.unlink()
    return float(match.group(1)), wall


def best_cli_rate(
    count: int, workers: int, folder: Path, repeat: int
) -> tuple[float, float]:
    """(best docs/s from the summary, best docs/s by wall time)."""
    runs = [cli_run(count, workers, folder) for _ in range(repeat)]
    return count / min(r for r, _ in runs), count / min(w for _, w in runs)


def file_creation_rate(folder: Path, count: int, repeat: int) -> float:
    """Files/s for write-to-temp-then-rename of a document-sized file."""
    payload = dumps_pretty(create_provider(PROVIDER, seed=SEED).generate())
    target = folder / "files"

    def run() -> None:
        for index in range(count):
            write_atomic(target / f"f_{index:06d}.json", payload)

    seconds = []
    for _ in range(repeat):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        seconds.append(best_seconds(run, 1))
    shutil.rmtree(target, ignore_errors=True)
    return count / min(seconds)


def serialisation_rate(count: int) -> tuple[float, float]:
    """(JSON lines/s, pretty JSON documents/s) with the run's encoders, in blocks
    of BLOCK_SIZE as a run encodes them; the documents are made first."""
    provider = create_provider(PROVIDER, seed=SEED)
    blocks = [provider.generate_many(BLOCK_SIZE) for _ in range(count // BLOCK_SIZE)]
    done = len(blocks) * BLOCK_SIZE
    rates = []
    for encoder in (JsonLinesEncoder(), JsonEncoder()):
        seconds = best_seconds(lambda: [encoder.encode_many(b) for b in blocks], 3)
        rates.append(done / seconds)
    return rates[0], rates[1]


def _where(file: str, function: str) -> str:
    if "mimesis" in file:
        return "Mimesis (providers, Field lookup)"
    if "/datagen/" in file or "document_providers" in file:
        return "datagen + the provider's schema code"
    if file == "~":
        if "orjson" in function:
            return "orjson serialisation"
        if "write" in function or "replace" in function or "open" in function:
            return "file writes"
        if "random" in function or "getrandbits" in function:
            return "random (C part)"
        return "other built-ins"
    if file.endswith(("random.py", "uuid.py")):
        return "random / uuid (stdlib Python)"
    return "other stdlib Python"


#: Stages of the jsonl path: (end of the file name, function) -> label.
_STAGES = {
    "the provider's create_schema (generation)": (
        f"{PROVIDER}.py",
        "create_schema",
    ),
    "Mimesis Field calls": ("mimesis/schema.py", "__call__"),
    "Field name lookup + alias check": ("mimesis/schema.py", "_lookup_method"),
    "encoding to JSON lines": ("datagen/encoders.py", "encode_many"),
    "writing the file": ("datagen/sinks/files.py", "write_encoded"),
}


def profile_jsonl(count: int, folder: Path, top: int, report: Path | None) -> None:
    """Run the jsonl path once under cProfile; print time shares and top functions."""
    run = library_run(count, "jsonl", folder)
    run()  # warm: the provider instance is cached per process, as in a real run
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler)
    entries = stats.stats.items()  # type: ignore[attr-defined]
    total = sum(entry[2] for _, entry in entries)
    shares: dict[str, float] = {}
    for (file, _, function), entry in entries:
        where = _where(file, function)
        shares[where] = shares.get(where, 0.0) + entry[2]
    print(f"\ncProfile of the jsonl path, {count:,} documents (own time by origin):")
    for where, seconds in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"  {where:<40} {seconds / total:6.1%}")
    print("\nTime inside (cumulative, of the whole run):")
    for label, (file_end, function) in _STAGES.items():
        inside = sum(
            entry[3]
            for (file, _, name), entry in entries
            if file.endswith(file_end) and name == function
        )
        print(f"  {label:<40} {inside / total:6.1%}")
    print(f"\nTop {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)
    if report is not None:
        with open(report, "w") as handle:
            pstats.Stats(profiler, stream=handle).sort_stats("tottime").print_stats(40)
        print(f"(full profile in {report})")
    (folder / "documents.jsonl").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quantity", type=int, default=100_000, help="generation N")
    parser.add_argument(
        "--files", type=int, default=50_000, help="N for one file per document"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs, best one kept")
    parser.add_argument("--quick", action="store_true", help="N/10, for a smoke run")
    parser.add_argument("--profile-report", type=Path, default=None)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.quantity //= 10
        args.files //= 10
    quantity, files, repeat = args.quantity, args.files, args.repeat

    tmpfs_root = TMPFS if TMPFS.is_dir() else None
    disk_root = REPO / "output"  # the repository's disk, and ignored by git
    disk_root.mkdir(exist_ok=True)
    print(
        f"bench_documents: {PROVIDER}, N={quantity:,} (one file per document: "
        f"{files:,}), best of {repeat}; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    rows: list[tuple[str, float, str]] = []
    with (
        tempfile.TemporaryDirectory(dir=tmpfs_root, prefix="bench-docs-") as shm,
        tempfile.TemporaryDirectory(dir=disk_root, prefix="bench-docs-") as disk,
    ):
        tmp, repo_disk = Path(shm), Path(disk)
        fs_name = "tmpfs" if tmpfs_root else "tmp"

        bare = bare_mimesis_rate(quantity, repeat)
        rows.append(("bare Mimesis Schema.create()", bare, f"{quantity:,} at once"))
        bare_blocks = bare_mimesis_rate(quantity, repeat, BLOCK_SIZE)
        rows.append(
            ("bare Mimesis, in blocks", bare_blocks, f"{BLOCK_SIZE:,} per create()")
        )

        jsonl_tmp = library_rate(quantity, "jsonl", tmp, repeat)
        rows.append((f"jsonl on {fs_name}", jsonl_tmp, "library, 1 process"))
        jsonl_disk = library_rate(quantity, "jsonl", repo_disk, repeat)
        rows.append(("jsonl on disk", jsonl_disk, "library, 1 process"))

        json_tmp = library_rate(files, "json", tmp, repeat)
        rows.append((f"json file each on {fs_name}", json_tmp, "library, 1 process"))
        json_disk = library_rate(files, "json", repo_disk, repeat)
        rows.append(("json file each on disk", json_disk, "library, 1 process"))

        workers1, workers1_wall = best_cli_rate(quantity, 1, tmp, repeat)
        rows.append(
            ("jsonl --workers 1", workers1, f"CLI; {workers1_wall:,.0f}/s wall")
        )
        workers2, workers2_wall = best_cli_rate(quantity, 2, tmp, repeat)
        rows.append(
            ("jsonl --workers 2", workers2, f"CLI; {workers2_wall:,.0f}/s wall")
        )

        create_tmp = file_creation_rate(tmp, files, repeat)
        rows.append((f"file creation on {fs_name}", create_tmp, "files/s, no data"))
        create_disk = file_creation_rate(repo_disk, files, repeat)
        rows.append(("file creation on disk", create_disk, "files/s, no data"))

        line_rate, pretty_rate = serialisation_rate(min(quantity, 50_000))
        rows.append(("encode JSON lines", line_rate, "orjson, no generation"))
        rows.append(("encode pretty JSON", pretty_rate, "orjson, no generation"))

        print(f"\n{'what':<32} {'docs/s':>12}  note")
        for what, rate, note in rows:
            print(f"{what:<32} {rate:>12,.0f}  {note}")

        ratios = {
            "jsonl / bare Mimesis": jsonl_tmp / bare,
            "jsonl / bare Mimesis in blocks": jsonl_tmp / bare_blocks,
            "workers 2 / workers 1": workers2 / workers1,
            "json files on tmpfs / jsonl": json_tmp / jsonl_tmp,
        }
        print(f"\n{'ratio':<32} {'measured':>9} {'target':>7}")
        for name, value in ratios.items():
            target = TARGETS[name]
            verdict = "met" if value >= target else "MISSED"
            print(f"{name:<32} {value:>8.2f}x {target:>6.1f}x  {verdict}")
        print(f"{'json files on disk / jsonl':<32} {json_disk / jsonl_tmp:>8.2f}x")
        # One file per document costs a generation plus a file creation:
        for fs, create, measured in (
            (fs_name, create_tmp, json_tmp),
            ("disk", create_disk, json_disk),
        ):
            model = 1 / (1 / jsonl_tmp + 1 / create)
            print(
                f"json files on {fs}: 1/(1/jsonl + 1/file creation) = {model:,.0f}/s"
                f" expected, {measured:,.0f}/s measured"
            )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")

        if not args.no_profile:
            profile_jsonl(min(quantity, 50_000), tmp, 15, args.profile_report)


if __name__ == "__main__":
    main()
