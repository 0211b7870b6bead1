"""A simulation killed mid-run and resumed: its stream is made again, the
events already written skipped, and the file is the uninterrupted run's."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.checkpoints.runs import ok, saved, start, stop_mid_run, temp_files

RUN = ("simulate", "web", "--actors", 3000, "--duration", "1d", "--seed", 5)


def test_web_killed_and_resumed_to_the_same_bytes(tmp_path: Path) -> None:
    reference = ok(tmp_path, *RUN, "-o", "ref.jsonl")
    process = start(
        tmp_path,
        *(*RUN, "-o", "out.jsonl", "--profiles-out", "profiles.json"),
        *("--checkpoint", "ck", "--checkpoint-every", 4000),
    )
    at_kill, _ = stop_mid_run(process, tmp_path / "ck", signal.SIGKILL)
    total = (tmp_path / "ref.jsonl").read_bytes().count(b"\n")
    assert 0 < at_kill["events"] < total
    assert at_kill["block_size"] is None  # a stream, not blocks

    stderr = ok(
        tmp_path,
        *(*RUN, "-o", "out.jsonl", "--profiles-out", "profiles.json"),
        *("--resume", "ck"),
    )

    assert (tmp_path / "out.jsonl").read_bytes() == (
        tmp_path / "ref.jsonl"
    ).read_bytes()
    assert stderr.split(" in ")[0] == reference.split(" in ")[0].replace(
        "ref.jsonl", "out.jsonl"
    )  # wrote N web events to ..., the whole run's count
    assert (tmp_path / "profiles.json").stat().st_size > 0  # saved at the end
    done = saved(tmp_path / "ck")
    assert done["state"] == "finished" and done["events"] == total
    assert temp_files(tmp_path) == []


def test_live_run_refuses_a_checkpoint(tmp_path: Path) -> None:
    from tests.checkpoints.runs import run

    done = run(
        tmp_path, "simulate", "web", "--live", "--count", 5, "--checkpoint", "ck"
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: --checkpoint: a live run cannot go on where it stopped (its events"
        " follow the wall clock): checkpoint a batch run (no --live)"
    ]
    assert not (tmp_path / "ck").exists()


def test_a_run_refused_after_its_checkpoint_opened_leaves_no_folder(
    tmp_path: Path,
) -> None:
    """An option checked once the checkpoint is open (here the live rate's
    actors) stops the run before it begins: the folder it made goes too."""
    from tests.checkpoints.runs import run

    done = run(
        tmp_path, "simulate", "web", "--actors", 10, "--duration", "1h",
        "--live", "--checkpoint", "ck", "-o", "out.jsonl",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "--rate" in done.stderr
    assert list(tmp_path.iterdir()) == []
