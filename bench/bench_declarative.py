"""Declarative providers against hand-written Python, and Jsonnet templates (issue 11).

Measured in one run, each figure the best of --repeat rounds (rounds alternate
the contenders, so a burst of load elsewhere hits both alike):
- generation alone: generate_many() of the Python `starfleet_account` and its
  YAML twin `starfleet_account_yaml` (examples/starfleet_account.yaml), nothing
  written: the ratio is the declarative path's cost against hand-written code
  (target: YAML >= 1x Python);
- the same two through the CLI, `document ... --format jsonl --engine row` into
  /dev/shm (or a temp folder), the rate taken from the run's summary line (the
  twin's columnar engine, the default, is bench_columnar.py's);
- the Eventer tool's `examples/eventer/event.jsonnet` through the CLI,
  `--workers 1` and `--workers 2`.

Run from the repository: .venv/bin/python bench/bench_declarative.py
[--count 50000] [--jsonnet-count 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TEMPLATE = EXAMPLES / "eventer" / "event.jsonnet"
RATE = re.compile(r"\(([\d,]+)/s\)")
SEED = 1


def generation_rate(name: str, count: int) -> float:
    """Documents/s of provider `name`'s generate_many, in this process."""
    from datagen.documents import DOCUMENT_PROVIDERS

    provider = DOCUMENT_PROVIDERS.get(name)("en", SEED)
    provider.generate_many(100)  # warm caches
    started = time.perf_counter()
    made = 0
    while made < count:
        made += len(provider.generate_many(1000))
    return made / (time.perf_counter() - started)


def cli_rate(args: list[str], folder: Path) -> float:
    """Documents/s from a CLI run's own summary (start-up excluded)."""
    argv = [sys.executable, str(REPO / "generate.py"), "document", *args]
    argv += ["--format", "jsonl", "--seed", str(SEED), "-o", str(folder / "out.jsonl")]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    match = RATE.search(done.stderr)
    assert match, done.stderr
    return float(match.group(1).replace(",", ""))


def best(measure: Callable[[], float], repeat: int) -> float:
    return max(measure() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--jsonnet-count", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    os.environ["DATAGEN_PROVIDERS_DIR"] = str(EXAMPLES)
    sys.path.insert(0, str(REPO))

    print(f"generation alone, {options.count:,} documents, best of {options.repeat}:")
    python = yaml = 0.0
    for _ in range(options.repeat):  # alternate, so load hits both alike
        python = max(python, generation_rate("starfleet_account", options.count))
        yaml = max(yaml, generation_rate("starfleet_account_yaml", options.count))
    print(f"  starfleet_account (Python)      {python:>10,.0f} documents/s")
    print(f"  starfleet_account_yaml (YAML)   {yaml:>10,.0f} documents/s")
    print(f"  YAML / Python: {yaml / python:.2f}x (target >= 1x)")

    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=base) as name:
        folder = Path(name)
        quantity = ["-q", str(options.count)]
        print(f"CLI, jsonl to {folder.parent}, --workers 1, best of {options.repeat}:")
        cli_python = cli_yaml = 0.0
        for _ in range(options.repeat):
            cli_python = max(
                cli_python, cli_rate(["-p", "starfleet_account", *quantity], folder)
            )
            cli_yaml = max(
                cli_yaml,
                cli_rate(
                    ["-p", "starfleet_account_yaml", "--engine", "row", *quantity],
                    folder,
                ),
            )
        print(f"  starfleet_account (Python)      {cli_python:>10,.0f} documents/s")
        print(f"  starfleet_account_yaml (YAML)   {cli_yaml:>10,.0f} documents/s")
        print(f"  YAML / Python: {cli_yaml / cli_python:.2f}x")

        template = ["--template", str(TEMPLATE), "-q", str(options.jsonnet_count)]
        print(f"CLI, {TEMPLATE.relative_to(REPO)}, {options.jsonnet_count:,} events:")
        for workers in (1, 2):
            rate = best(
                lambda: cli_rate([*template, "--workers", str(workers)], folder),
                options.repeat,
            )
            print(f"  --workers {workers}   {rate:>10,.0f} documents/s")


if __name__ == "__main__":
    main()
