"""A parts run stopped half-way goes on with --resume: only the missing
parts are made, the manifest describes every part (those kept too), and
the shards are the first run's even when the cluster's workers changed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import (
    SEED,
    check_manifest,
    folder_manifest,
    generate,
    part_files,
)
from tests.processes import run_generate

QUANTITY = 8000
ACCOUNTS = ("document", "-p", "starfleet_account", "-q", QUANTITY, "--quiet")


def test_resume_makes_the_missing_parts_on_other_workers(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    one, parts = tmp_path / "one.jsonl", tmp_path / "parts"
    generate(*ACCOUNTS, "--seed", SEED, "-o", one)
    # no --shard-size: the size follows the workers (2 here: 4 shards each)
    generate(*ACCOUNTS, "--seed", SEED, "-o", f"{parts}/", "--format", "jsonl",
             "--cluster", dask_cluster.address)  # fmt: skip
    first = part_files(parts, "jsonl")
    assert len(first) == 8
    kept = {p.name: p.stat().st_ino for p in first[::2]}
    for part in first[1::2]:
        part.unlink()  # as if the run had stopped before these were published
    (parts / "manifest.json").unlink()
    # one worker now, and no --seed: the parts' own seed and shard size
    resumed = generate(*ACCOUNTS[:-1], "-o", f"{parts}/", "--format", "jsonl",
                       "--cluster", "local:1", "--resume", parts)  # fmt: skip
    # the whole run's count, at the rate of the half this run made
    said = re.search(r"wrote ([\d,]+) .* in ([\d.]+)s \(([\d,]+)/s\)", resumed.stderr)
    assert said is not None, resumed.stderr
    count, seconds, rate = (float(g.replace(",", "")) for g in said.groups())
    assert count == QUANTITY
    assert abs(rate - QUANTITY / 2 / seconds) <= 0.05 * rate + 1
    data = [(p.name, p.read_bytes()) for p in part_files(parts, "jsonl")]
    assert b"".join(d for _, d in data) == one.read_bytes()
    check_manifest(folder_manifest(parts), data, QUANTITY)
    for name, inode in kept.items():
        assert (parts / name).stat().st_ino == inode, f"{name} was made again"


def test_a_folder_a_simulation_wrote_over_is_not_resumed(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """Parts of a document run, then a simulation's parts in the same folder:
    resuming the document run is refused (its parts are gone), not mixed."""
    parts = f"{tmp_path / 'parts'}/"
    accounts = (*ACCOUNTS, "--seed", SEED, "-o", parts, "--format", "jsonl")
    generate(*accounts, "--cluster", dask_cluster.address)
    generate("simulate", "web", "--actors", 50, "--duration", "1h", "--seed", 3,
             "--quiet", "-o", parts, "--cluster", dask_cluster.address)  # fmt: skip
    resumed = run_generate(
        *accounts, "--cluster", dask_cluster.address, "--resume", parts
    )
    assert resumed.returncode == 2, resumed.stderr
    assert "holds no run to resume" in resumed.stderr
    assert len(resumed.stderr.strip().splitlines()) == 1, resumed.stderr
