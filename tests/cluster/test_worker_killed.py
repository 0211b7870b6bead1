"""A worker killed mid-run (SIGKILL: no goodbye): the scheduler runs its
shards again on the worker left, each part is published whole once, and the
run ends with the full, byte-identical output. The run has a cluster of its
own, so the other tests keep their two workers."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest

from datagen.files.atomic import TEMP_PREFIX
from tests.cluster.dask_processes import DaskCluster, wait_until
from tests.cluster.runs import (
    SEED,
    check_manifest,
    folder_manifest,
    part_files,
    same_bytes,
    start_generate,
)
from tests.processes import ROOT

#: Eight columnar shards of 50,000: seconds of work for two workers.
QUANTITY = 400_000
EXAMPLES = ROOT / "examples"


def twin(*argv: object) -> tuple[object, ...]:
    return (
        "document", "--providers-dir", EXAMPLES, "-p", "starfleet_account_yaml",
        "--engine", "columnar", "-q", QUANTITY, "--seed", SEED, *argv,
    )  # fmt: skip


def writing(folder: Path, pid: int) -> bool:
    """True once a part is published and process pid is writing one (its
    temp file, named with its PID, is there): killed now, it dies mid-task."""
    if not (folder / "part-00000.jsonl").exists():
        return False
    return any(name.startswith(f"{TEMP_PREFIX}{pid}-") for name in os.listdir(folder))


@dataclass(frozen=True)
class KilledRun:
    folder: Path
    one_process: Path
    returncode: int
    stderr: str
    workers_left: list[int]
    victim: int


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory: pytest.TempPathFactory) -> KilledRun:
    """A parts run on a two-worker cluster, one worker SIGKILLed mid-task
    once the first part is published; and, made meanwhile, the one-process
    file to compare with."""
    tmp = tmp_path_factory.mktemp("killed")
    folder, one = tmp / "parts", tmp / "one.jsonl"
    with DaskCluster.start(workers=2) as cluster:
        victim = cluster.worker_pids()[0]
        argv = twin(
            "-o", f"{folder}/", "--format", "jsonl",
            "--cluster", cluster.address, "--shard-size", 50_000,
        )  # fmt: skip
        run = start_generate(*argv)
        reference = start_generate(*twin("--quiet", "-o", one))
        try:
            wait_until(
                lambda: run.poll() is not None or writing(folder, victim),
                60,
                "the first part published and the victim writing another",
            )
            assert run.poll() is None, "the run ended before a worker was killed"
            os.kill(victim, signal.SIGKILL)
            _, stderr = run.communicate(timeout=120)
            _, reference_stderr = reference.communicate(timeout=120)
        finally:
            run.kill()
            reference.kill()
        left = cluster.worker_pids()
    assert reference.returncode == 0, reference_stderr
    return KilledRun(folder, one, run.returncode, stderr, left, victim)


def test_the_run_finishes_with_every_part_once(killed_run: KilledRun) -> None:
    assert killed_run.returncode == 0, killed_run.stderr
    assert killed_run.victim not in killed_run.workers_left
    assert len(killed_run.workers_left) == 1
    assert f"wrote {QUANTITY:,} starfleet_account_yaml documents" in killed_run.stderr
    parts = part_files(killed_run.folder, "jsonl")
    assert len(parts) == 8
    data = [(part.name, part.read_bytes()) for part in parts]
    same_bytes(
        b"".join(d for _, d in data),
        killed_run.one_process.read_bytes(),
        "after a worker died",
    )
    check_manifest(folder_manifest(killed_run.folder), data, QUANTITY)


def test_the_killed_worker_leaves_nothing_behind(killed_run: KilledRun) -> None:
    names = sorted(os.listdir(killed_run.folder))
    parts = [p.name for p in part_files(killed_run.folder, "jsonl")]
    assert names == sorted([*parts, "manifest.json", "run.json"])
