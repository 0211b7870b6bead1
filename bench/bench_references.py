"""What references between streams, and faults on top of them, cost (issue 13).

Three runs of the same two streams, 1,000 customers then N orders, timed
whole (`python generate.py document ...`, start-up included), best of
--repeat rounds that alternate the contenders:
- plain: orders whose customer_id is a random integer (no reference);
- references: customer_id is `{ref: customers.id, skew: 80/20}`, so the run
  gathers the customers' ids and every order draws one;
- references + faults: the same with 1% of each fault kind a document stream
  takes (null, wrong_type, out_of_range, malformed, drift, duplicate,
  dangling).
The target: references and faults at 1% cost at most 15% of throughput, so
plain / references + faults >= 0.85.

Run from the repository: .venv/bin/python bench/bench_references.py
[--count 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELATED = REPO / "examples" / "related"
FAULTS = (
    "null=0.01,wrong_type=0.01,out_of_range=0.01,malformed=0.01,drift=0.01,"
    "duplicate=0.01,dangling=0.01"
)


def providers(folder: Path) -> Path:
    """examples/related, plus `orders_plain`: orders without the reference."""
    shutil.copytree(RELATED, folder, dirs_exist_ok=True)
    text = (RELATED / "orders.yaml").read_text()
    plain = text.replace("provider: orders\n", "provider: orders_plain\n").replace(
        "{ref: customers.id, skew: 80/20}", "{gen: integer, min: 1, max: 1000}"
    )
    assert plain != text and "ref:" not in plain.split("fields:")[1]
    (folder / "orders_plain.yaml").write_text(plain)
    return folder


def timed(args: list[str], out: Path) -> float:
    """Wall seconds of one whole CLI run into folder `out`."""
    shutil.rmtree(out, ignore_errors=True)
    argv = [sys.executable, str(REPO / "generate.py"), "document", *args]
    argv += ["--format", "jsonl", "--seed", "1", "--quiet", "-o", f"{out}/"]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(
        dir="/dev/shm" if Path("/dev/shm").is_dir() else None
    ) as tmp:
        folder = providers(Path(tmp) / "providers")
        common = ["--providers-dir", str(folder), "-p", "customers", "-q", "1000"]
        runs = {
            "plain": [*common, "-p", "orders_plain", "-q", str(options.count)],
            "references": [*common, "-p", "orders", "-q", str(options.count)],
            "references + faults": [
                *common,
                "-p",
                "orders",
                "-q",
                str(options.count),
                "--faults",
                FAULTS,
            ],
        }
        best = {name: float("inf") for name in runs}
        for _ in range(options.repeat):
            for name, args in runs.items():
                best[name] = min(best[name], timed(args, Path(tmp) / "out"))
    documents = 1000 + options.count
    print(f"{documents:,} documents (1,000 customers, {options.count:,} orders)")
    for name, seconds in best.items():
        ratio = best["plain"] / seconds
        print(
            f"{name:>20}: {seconds:6.2f} s  {documents / seconds:9,.0f} docs/s"
            f"  {ratio:.2f}x plain"
        )


if __name__ == "__main__":
    main()
