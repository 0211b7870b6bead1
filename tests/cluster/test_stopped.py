"""A parts run stopped with Ctrl-C waits for the shards under way, so the
documents or events it says it wrote are those in its published parts,
exactly, and no part appears after it has ended."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.checkpoints.runs import start
from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import SEED, generate, part_files
from tests.processes import interrupt_when

QUANTITY, SHARD = 60_000, 2_000


def test_ctrl_c_counts_every_published_part(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    parts = tmp_path / "parts"
    argv = ("document", "-p", "starfleet_account", "-q", QUANTITY, "--seed", SEED,
            "-o", f"{parts}/", "--format", "jsonl", "--shard-size", SHARD,
            "--cluster", dask_cluster.address)  # fmt: skip
    said, published = stopped_after_two_parts(tmp_path, parts, argv)
    assert said == SHARD * len(published) < QUANTITY
    lines = sum(len(p.read_bytes().splitlines()) for p in published)
    assert lines == SHARD * len(published)
    generate(*argv, "--resume", parts, "--quiet")
    assert len(part_files(parts, "jsonl")) == QUANTITY // SHARD


def test_ctrl_c_counts_every_event_of_the_published_simulation_parts(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    parts = tmp_path / "parts"
    argv = ("simulate", "web", "--actors", 12_000, "--duration", "1d", "--seed", 3,
            "-o", f"{parts}/", "--shard-size", 500,
            "--cluster", dask_cluster.address)  # fmt: skip
    said, published = stopped_after_two_parts(tmp_path, parts, argv)
    assert 0 < said == sum(len(p.read_bytes().splitlines()) for p in published)
    assert len(published) < 12_000 // 500
    assert not (parts / "manifest.json").exists()


def stopped_after_two_parts(
    cwd: Path, parts: Path, argv: tuple[object, ...]
) -> tuple[int, list[Path]]:
    """Run argv, Ctrl-C once two parts are published: (the count the run
    says it wrote, the parts in the folder once the workers are idle)."""
    process = start(cwd, *argv)
    stderr = interrupt_when(
        process,
        lambda: parts.is_dir() and len(part_files(parts, "jsonl")) >= 2,
        60,
        "no two parts",
    )
    assert "stopping: waiting for the" in stderr, stderr
    said = re.search(r"wrote ([\d,]+) ", stderr)
    assert said is not None, stderr
    time.sleep(2)  # a task left running would publish its part by now
    return int(said[1].replace(",", "")), part_files(parts, "jsonl")
