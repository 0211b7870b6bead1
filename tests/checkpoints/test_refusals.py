"""What a checkpoint refuses, each in one line: another run's checkpoint, a
finished one (exit 0), one that is not a checkpoint, a kept file gone, an
unfinished one started over, and the runs that cannot be continued."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from datagen.runs import documents
from datagen.runs.blocks import Block
from tests.checkpoints.runs import saved, temp_files
from tests.processes import ROOT

RUN = ("document", "-p", "starfleet_account", "-q", 3000, "--seed", 3)
Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def one_error(result: Result, code: int = 2) -> str:
    """The one line a refused run prints (exit `code`)."""
    assert result.exit_code == code, (result.output, result.exception)
    [line] = result.stderr.strip().splitlines()
    return line


def stopped_run(invoke: Invoke, monkeypatch: pytest.MonkeyPatch, *argv: Any) -> None:
    """A checkpointed run stopped by Ctrl-C as its third block is made."""
    make = documents.make_documents

    def interrupted(job: Any, block: Block) -> Any:
        if block.index == 2:
            raise KeyboardInterrupt
        return make(job, block)

    with monkeypatch.context() as patched:
        patched.setattr(documents, "make_documents", interrupted)
        result = invoke(
            *argv, "--checkpoint", "ck", "--checkpoint-every", 1000, ok=False
        )
    assert result.exit_code == 130, result.output
    assert saved(Path("ck"))["state"] == "stopped"


def test_another_run_and_a_finished_one(invoke: Invoke, here: Path) -> None:
    invoke(*RUN, "-o", "out.jsonl", "--checkpoint", "ck")
    before = (here / "out.jsonl").stat().st_mtime_ns

    other = invoke(*RUN[:-1], 4, "-o", "other.jsonl", "--resume", "ck", ok=False)
    assert one_error(other) == (
        "Error: --resume ck: not the checkpoint's run: --seed is 4, the "
        f"checkpoint's 3; --output-path is {here / 'other.jsonl'}, the "
        f"checkpoint's {here / 'out.jsonl'}"
    )
    again = invoke(*RUN, "-o", "out.jsonl", "--resume", "ck")
    assert one_error(again, 0) == (
        "--resume ck: the run finished already (3,000 events to "
        "file:out.jsonl); nothing to do"
    )
    assert (here / "out.jsonl").stat().st_mtime_ns == before
    invoke(*RUN, "-o", "out.jsonl", "--checkpoint", "ck")  # a finished one: anew


@pytest.mark.parametrize(
    "content, why",
    [
        (b"{not json", "not JSON: "),
        (b'{"format": "something else"}', 'no "format": "datagen checkpoint"'),
        (b'{"format": "datagen checkpoint", "version": 2}', "format version 2"),
        (
            b'{"format": "datagen checkpoint", "version": 1, "state": "running"}',
            '"fingerprint" is missing or wrong',
        ),
    ],
)
def test_not_a_checkpoint(invoke: Invoke, here: Path, content: bytes, why: str) -> None:
    (here / "ck").mkdir()
    (here / "ck" / "checkpoint.json").write_bytes(content)
    line = one_error(invoke(*RUN, "-o", "out.jsonl", "--resume", "ck", ok=False))
    assert line.startswith(
        "Error: --resume ck: checkpoint.json is not a datagen checkpoint ("
    )
    assert why in line
    assert not (here / "out.jsonl").exists() and temp_files(here) == []


def test_no_checkpoint_to_resume(invoke: Invoke, here: Path) -> None:
    line = one_error(invoke(*RUN, "-o", "out.jsonl", "--resume", "ck", ok=False))
    assert line == "Error: --resume ck: no checkpoint there (no checkpoint.json)"
    assert list(here.iterdir()) == []  # a mistyped folder is not made


def test_unfinished_run_is_not_started_over(
    invoke: Invoke, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped_run(invoke, monkeypatch, *RUN, "-o", "out.jsonl")
    [kept] = temp_files(here)
    line = one_error(invoke(*RUN, "-o", "out.jsonl", "--checkpoint", "ck", ok=False))
    assert line == (
        "Error: --checkpoint ck holds an unfinished run (2,000 events): continue "
        f"it with --resume ck, or delete ck and {kept.relative_to(here)} to start "
        "again"
    )
    invoke(*RUN, "-o", "out.jsonl", "--resume", "ck")  # and it goes on
    assert temp_files(here) == []


def test_kept_file_gone(
    invoke: Invoke, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped_run(invoke, monkeypatch, *RUN, "-o", "out.jsonl")
    [kept] = temp_files(here)
    kept.unlink()
    line = one_error(invoke(*RUN, "-o", "out.jsonl", "--resume", "ck", ok=False))
    assert line == (
        f"Error: --resume ck: {kept.relative_to(here)}, the part of out.jsonl "
        "written so far, is gone: delete ck and run again"
    )


def test_kept_file_shorter_than_saved(
    invoke: Invoke, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped_run(invoke, monkeypatch, *RUN, "-o", "out.jsonl")
    [kept] = temp_files(here)
    length = saved(here / "ck")["sinks"][0]["file"]["length"]
    with kept.open("r+b") as file:
        file.truncate(length - 10)
    line = one_error(invoke(*RUN, "-o", "out.jsonl", "--resume", "ck", ok=False))
    assert line == (
        f"Error: --resume ck: {kept.relative_to(here)} holds {length - 10:,} "
        f"bytes, fewer than the {length:,} the checkpoint saved: delete ck and "
        "run again"
    )


@pytest.mark.parametrize(
    "more, why",
    [
        (
            ("-o", "out.parquet"),
            "Error: --checkpoint: file:out.parquet is Parquet, whose file is "
            "readable only once its footer is written at the end, so a stopped "
            "run cannot go on with it: write .jsonl or .csv, or drop --checkpoint",
        ),
        (
            ("-o", "out.jsonl", "--faults", "null=0.1"),
            "Error: --checkpoint: faults, --truth and --manifest keep a state a "
            "checkpoint does not save, so the run could not go on exactly: drop "
            "them or --checkpoint",
        ),
        (
            ("-o", "out.jsonl", "--resume", "other"),
            "Error: --checkpoint ck and --resume other name two folders: a "
            "resumed run goes on saving into its own",
        ),
    ],
)
def test_runs_that_cannot_be_continued(
    invoke: Invoke, here: Path, more: tuple[str, ...], why: str
) -> None:
    result = invoke(*RUN, *more, "--checkpoint", "ck", ok=False)
    assert one_error(result) == why
    assert [path.name for path in here.iterdir()] == []  # ck not left made


@pytest.mark.usefixtures("isolated_declarations")  # --providers-dir in-process
def test_several_streams_refuse_a_checkpoint(invoke: Invoke, here: Path) -> None:
    related = ROOT / "examples" / "related"
    result = invoke(
        *("document", "--providers-dir", related, "-p", "customers", "-q", 10),
        *("-p", "orders", "-q", 10, "-o", "out/", "--checkpoint", "ck"),
        ok=False,
    )
    assert one_error(result) == (
        "Error: --checkpoint is not for a run of several streams (or one "
        "referring to another): drop --checkpoint"
    )


def test_counts_of_a_resumed_run_are_the_whole_run(
    invoke: Invoke, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A --sink file beside -o: each sink's line counts both parts."""
    more = ("-o", "out.jsonl", "--sink", "file:copy.jsonl")
    stopped_run(invoke, monkeypatch, *RUN, *more)
    result = invoke(*RUN, *more, "--resume", "ck")
    assert "file:copy.jsonl: sent 3000, acknowledged 3000, failed 0" in result.stderr
    assert (here / "copy.jsonl").read_bytes() == (here / "out.jsonl").read_bytes()
    lines = (here / "out.jsonl").read_bytes().splitlines()
    assert len({json.loads(line)["id"] for line in lines}) == 3000


@pytest.mark.parametrize(
    "option, value",
    [("--checkpoint-every", "10"), ("--checkpoint-seconds", "5")],
)
def test_checkpoint_timing_without_a_folder_is_refused(
    invoke: Invoke, here: Path, option: str, value: str
) -> None:
    result = invoke(*RUN, "-o", "out.jsonl", option, value, ok=False)
    assert one_error(result) == (
        f"Error: {option} says when to save a checkpoint: give --checkpoint DIR "
        f"or --resume DIR too, or drop {option}"
    )
    assert list(here.iterdir()) == []
