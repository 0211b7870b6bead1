"""Measuring and printing benchmark figures, shared by the bench_*.py scripts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datagen.sinks.base import BaseSink, Delivery

BLOCK = 1000
Blocks = Callable[[], Iterator[list[dict[str, Any]]]]
#: (sink, end-to-end events/s, sink-only events/s)
Rates = tuple[str, float, float]


# --- sinks: events per second, end to end and sink only ---


def timed(
    open_sink: Callable[[], BaseSink], blocks: Iterator[list[dict[str, Any]]]
) -> tuple[float, Delivery]:
    """Seconds to open the sink, send every block and close it; and the delivery.
    Inside fast_thread_switching(), as every CLI run is."""
    from datagen.sinks.batching import fast_thread_switching

    with fast_thread_switching():
        started = time.perf_counter()
        sink = open_sink()
        for block in blocks:
            sink.send_many(block)
        delivery = sink.close()
        return time.perf_counter() - started, delivery


def print_rates_header(workload: str, width: int) -> None:
    """The heading above the rows that measure_sinks prints for a workload."""
    print(f"{workload}: {'sink':<{width}} {'end to end':>12} {'sink only':>12}")


def measure_sinks(
    sinks: Mapping[str, Callable[[], BaseSink]], blocks: Blocks, repeat: int, width: int
) -> list[Rates]:
    """(sink, end-to-end events/s, sink-only events/s) for each sink, the best
    of `repeat` rounds, each row printed (sink names padded to `width`).

    End to end sends blocks() as they are made; sink only sends the same events
    made beforehand, in blocks of BLOCK. Each round measures every sink in turn,
    so a burst of load from elsewhere on the machine hits all of them alike.
    Every sink must acknowledge every event."""
    events = [event for block in blocks() for event in block]
    count = len(events)
    pre_blocks = [events[start : start + BLOCK] for start in range(0, count, BLOCK)]
    best = {name: [0.0, 0.0] for name in sinks}
    for _ in range(repeat):
        for name, open_one in sinks.items():
            for column, blocks_now in ((0, blocks()), (1, iter(pre_blocks))):
                seconds, delivery = timed(open_one, blocks_now)
                assert delivery.acknowledged == count, (name, delivery)
                best[name][column] = max(best[name][column], count / seconds)
    rows = [(name, figures[0], figures[1]) for name, figures in best.items()]
    for name, end_to_end, sink_only in rows:
        print(f"  {name:<{width}} {end_to_end:>12,.0f} {sink_only:>12,.0f}", flush=True)
    return rows


def print_rates_table(
    table: Sequence[tuple[str, Sequence[Rates]]],
    target: float,
    no_target: Collection[str],
) -> None:
    """A Markdown table of every workload's rows, each rate also as a multiple
    of the workload's first row (the baseline); sinks outside no_target get a
    verdict against `target` (the end-to-end multiple to reach)."""
    print(
        "| workload | sink | events/s end to end | x JSONL | target | "
        "events/s sink only | x JSONL |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    for workload, rows in table:
        base_e2e, base_only = rows[0][1], rows[0][2]
        for name, e2e, only in rows:
            ratio = e2e / base_e2e
            verdict = (
                ""
                if name in no_target
                else f">= {target}: {'met' if ratio >= target else 'MISSED'}"
            )
            print(
                f"| {workload} | {name} | {e2e:,.0f} | {ratio:.2f} | {verdict} | "
                f"{only:,.0f} | {only / base_only:.2f} |"
            )


# --- runs in a fresh interpreter, ours or a comparison package's ---


def run_json(
    argv: list[str], python: str = sys.executable, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run a measurement in a fresh interpreter (cwd: the temp folder, env
    added to this process's); its last stdout line is JSON, returned.
    Raises RuntimeError with the end of its stderr when it fails."""
    result = subprocess.run(
        [python, *argv],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        env={**os.environ, **env} if env else None,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{argv[:2]} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ensure_compare_venv(
    path: Path, packages: object, installs: list[list[str]]
) -> Path:
    """The python of the comparison virtualenv at path, created and filled (one
    `pip install` per entry of installs) unless its stamp already names packages."""
    python = path / "bin" / "python"
    ready = path / ".datagen-bench-ready"
    wanted = json.dumps(packages, sort_keys=True)
    if ready.exists() and ready.read_text() == wanted:
        return python
    base = shutil.which("python3.11") or shutil.which("python3") or "python3"
    print(f"creating the comparison virtualenv {path} ...", flush=True)
    subprocess.run([base, "-m", "venv", str(path)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for install in installs:
        subprocess.run([*pip, *install], check=True)
    ready.write_text(wanted)
    return python


# --- the datagen CLI, timed in this process ---


def count_lines(path: str | Path) -> int:
    """Newlines in the file at path, read 1 MiB at a time."""
    with open(path, "rb") as handle:
        return sum(
            chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")
        )


def timed_cli(argv: list[str], out: str) -> tuple[float, int]:
    """Seconds the datagen command argv takes in this process (imports done
    before the clock starts), and the events (lines) it wrote to out."""
    from datagen.cli import cli

    began = time.perf_counter()
    cli.main(argv, standalone_mode=False)
    seconds = time.perf_counter() - began
    return seconds, count_lines(out)
