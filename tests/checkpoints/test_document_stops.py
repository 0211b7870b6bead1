"""A document run into JSON lines stopped mid-run (SIGKILL, Ctrl-C) and
resumed writes the bytes an uninterrupted run writes: every id once."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.checkpoints.runs import ok, saved, start, stop_mid_run, temp_files

QUANTITY = 12_000
RUN = ("document", "-p", "starfleet_account", "-q", QUANTITY)
EVERY = ("--checkpoint-every", 1000)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of an uninterrupted run, seed 3."""
    folder = tmp_path_factory.mktemp("reference")
    ok(folder, *RUN, "--seed", 3, "-o", "ref.jsonl")
    return (folder / "ref.jsonl").read_bytes()


def ids(data: bytes) -> list[str]:
    return [json.loads(line)["id"] for line in data.splitlines()]


def test_killed_run_resumes_to_the_same_bytes(tmp_path: Path, reference: bytes) -> None:
    process = start(
        tmp_path, *RUN, "--seed", 3, "-o", "out.jsonl", "--checkpoint", "ck", *EVERY
    )
    at_kill, _ = stop_mid_run(process, tmp_path / "ck", signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    assert 0 < at_kill["events"] < QUANTITY and at_kill["events"] % 1000 == 0
    assert not (tmp_path / "out.jsonl").exists()  # never renamed into place
    [kept] = temp_files(tmp_path)  # the kept temp file survived the kill
    assert kept == tmp_path / at_kill["sinks"][0]["file"]["temp"]
    assert kept.stat().st_size >= at_kill["sinks"][0]["file"]["length"]

    stderr = ok(tmp_path, *RUN, "--seed", 3, "-o", "out.jsonl", "--resume", "ck")

    assert stderr.startswith(f"wrote {QUANTITY:,} starfleet_account documents to")
    data = (tmp_path / "out.jsonl").read_bytes()
    assert data == reference
    assert len(set(ids(data))) == QUANTITY and set(ids(data)) == set(ids(reference))
    assert temp_files(tmp_path) == []
    done = saved(tmp_path / "ck")
    assert done["state"] == "finished" and done["events"] == QUANTITY
    assert done["sinks"][0]["delivery"]["acknowledged"] == QUANTITY


def test_ctrl_c_keeps_the_file_and_says_how_to_resume(
    tmp_path: Path, reference: bytes
) -> None:
    """The resumed run is the same command without --seed (as a run that
    drew its seed is resumed): it takes the checkpoint's."""
    command = (*RUN, "-o", "out.jsonl")
    process = start(tmp_path, *command, "--seed", 3, "--checkpoint", "ck", *EVERY)
    _, stderr = stop_mid_run(process, tmp_path / "ck", signal.SIGINT)

    assert process.returncode == 130, stderr
    [line] = stderr.strip().splitlines()
    stopped = saved(tmp_path / "ck")
    assert stopped["state"] == "stopped"
    events = stopped["events"]
    assert 0 < events < QUANTITY
    assert line.startswith(f"interrupted: wrote {events:,} of {QUANTITY:,} requested")
    assert line.endswith(
        f"; checkpoint at {events:,} events in ck: run the same command with "
        "--resume ck to go on"
    )
    assert not (tmp_path / "out.jsonl").exists()
    [kept] = temp_files(tmp_path)
    assert kept.stat().st_size == stopped["sinks"][0]["file"]["length"]

    stderr = ok(tmp_path, *command, "--resume", "ck")

    assert stderr.strip().endswith(", seed 3")
    data = (tmp_path / "out.jsonl").read_bytes()
    assert data == reference
    assert len(set(ids(data))) == QUANTITY
    assert temp_files(tmp_path) == []
