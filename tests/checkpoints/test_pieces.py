"""The pieces of a resume: the blocks from a checkpoint on, a stream's
events skipped, when a checkpoint is saved, and a kept temp file reopened
only where it belongs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from datagen.engine.batches import Batch
from datagen.errors import OutputError
from datagen.files.atomic import KEPT_PREFIX, AtomicFile
from datagen.runs.blocks import plan_blocks
from datagen.runs.checkpoint_file import differences
from datagen.runs.checkpoint_sources import BlocksFrom
from datagen.runs.checkpoints import Checkpoint, open_checkpoint
from datagen.runs.documents import DocumentJob, run_documents
from datagen.runs.outputs import Outputs
from tests.checkpoints.runs import saved


def test_blocks_from_a_checkpoint_are_the_plan_s_own() -> None:
    blocks = plan_blocks(10_500, 7, "p", size=1000)
    view = BlocksFrom(blocks, 4)
    assert list(view) == list(blocks)[4:]
    assert len(view) == 7 and view[0] == blocks[4] and view[-1] == blocks[10]
    assert view[1:3] == [blocks[5], blocks[6]]
    huge = BlocksFrom(plan_blocks(10**11, 7, "p"), 10**8 - 1)  # lazy: no time
    assert len(huge) == 1 and huge[0].start == 10**11 - 1000


def test_a_resumed_block_run_starts_at_its_block(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path, {}, _saved(events=3000, block_size=1000))
    view = checkpoint.blocks(plan_blocks(5500, 7, size=1000))
    assert [block.index for block in view] == [3, 4, 5]
    assert checkpoint.cut == 3000  # the loop's requested is the whole run's


def _saved(events: int, block_size: int | None = None) -> dict[str, object]:
    return {
        "state": "stopped",
        "fingerprint": {},
        "events": events,
        "seconds": 1.0,
        "sinks": [],
        "block_size": block_size,
    }


def test_blocks_of_another_size_are_refused(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path, {}, _saved(events=3000, block_size=50_000))
    with pytest.raises(Exception, match="blocks are of 50,000, this run's of 1,000"):
        checkpoint.blocks(plan_blocks(5500, 7, size=1000))


class Source:
    """Batches of numbered events; remembers being closed."""

    def __init__(self, sizes: list[int]) -> None:
        self.sizes, self.closed = sizes, False

    def __iter__(self) -> Iterator[Batch]:
        start = 0
        for size in self.sizes:
            yield Batch([{"n": n} for n in range(start, start + size)], None, 0.0)
            start += size

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("skipped", [0, 2, 3, 4, 11, 12, 20])
def test_a_stream_skips_what_was_delivered(tmp_path: Path, skipped: int) -> None:
    source = Source([3, 5, 4])
    checkpoint = Checkpoint(tmp_path, {}, _saved(events=skipped))
    events = [
        event["n"]
        for batch in checkpoint.skip(iter(source))
        for event in batch.events()
    ]
    assert events == list(range(skipped, 12))


def test_skipping_closes_the_stream(tmp_path: Path) -> None:
    source = Source([3, 5, 4])
    stream = iter(source)
    skipping = Checkpoint(tmp_path, {}, _saved(events=4)).skip(stream)
    next(skipping)
    skipping.close()
    with pytest.raises(StopIteration):
        next(stream)  # the generator below was closed too


@pytest.mark.parametrize(
    "every, seconds, seen",
    [
        (10**9, 0.000001, [1000, 2000, 3000, 4000, 5000]),  # every batch: time
        (2000, 3600.0, [0, 2000, 2000, 4000, 4000]),  # every 2,000 events
    ],
)
def test_saved_every_n_events_or_t_seconds(
    tmp_path: Path, every: int, seconds: float, seen: list[int]
) -> None:
    folder = tmp_path / "ck"
    checkpoint = open_checkpoint(folder, {"run": 1}, False, every, seconds)
    job = DocumentJob("starfleet_account", 5000, 3, tmp_path / "out.jsonl", "jsonl")
    found: list[int] = []
    result = run_documents(
        job,
        Outputs(tmp_path / "out.jsonl", format="jsonl"),
        on_progress=lambda _count: found.append(saved(folder)["events"]),
        checkpoint=checkpoint,
    )
    assert result.count == 5000
    assert found == seen
    assert saved(folder)["state"] == "finished"


def test_a_kept_file_is_reopened_only_beside_its_target(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    kept = AtomicFile(target, kept=True)
    kept.write(b"0123456789")
    assert kept.keep() == 10 and kept.temp.name.startswith(KEPT_PREFIX)
    again = AtomicFile(target, resume=(kept.temp, 4))
    again.write(b"x")
    again.commit()
    assert target.read_bytes() == b"0123x"
    elsewhere = tmp_path / "other" / kept.temp.name
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"secret")
    plain = tmp_path / "notes.txt"
    plain.write_bytes(b"notes")
    link = tmp_path / f"{KEPT_PREFIX}abc-out.jsonl"
    os.symlink(plain, link)
    for wrong in (elsewhere, plain, link):
        with pytest.raises(OutputError, match="cannot write"):
            AtomicFile(target, resume=(wrong, 0))
    assert plain.read_bytes() == b"notes" and elsewhere.read_bytes() == b"secret"


def test_differences_name_each_option() -> None:
    assert differences(
        {"--seed": 3, "--sink": ["a"], "--locale": "en"},
        {"--seed": 4, "--sink": [], "--locale": "en", "--engine": "row"},
    ) == [
        "--seed is 4, the checkpoint's 3",
        "--sink is not given, the checkpoint's a",
        "--engine is row, the checkpoint's not given",
    ]


def test_a_file_that_cannot_be_renamed_leaves_the_run_unfinished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every event was delivered, then the rename failed: the checkpoint is
    not taken for a finished run (a resume says the file is gone)."""
    folder = tmp_path / "ck"
    checkpoint = open_checkpoint(folder, {"run": 1}, False)
    job = DocumentJob("starfleet_account", 2000, 3, tmp_path / "out.jsonl", "jsonl")

    def full_disk(self: AtomicFile) -> None:
        raise OutputError(f"cannot write '{self.target}': No space left on device")

    monkeypatch.setattr(AtomicFile, "commit", full_disk)
    with pytest.raises(OutputError, match="No space left"):
        run_documents(
            job, Outputs(tmp_path / "out.jsonl", format="jsonl"), checkpoint=checkpoint
        )
    assert saved(folder)["state"] == "running"
    again = open_checkpoint(folder, {"run": 1}, True)  # the lock was let go
    assert not again.finished
