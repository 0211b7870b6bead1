"""Runs into a place an earlier run wrote: a folder says which files are the last
run's (its manifest) and counts only those; a file is always replaced, even by
a run of no events."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.files.atomic import TEMP_PREFIX
from datagen.sinks.files import MANIFEST
from tests.processes import generate_command, interrupt_when

INTERRUPTED = re.compile(r"^interrupted: wrote (?P<count>[\d,]+) of 2,000,000 ")

pytestmark = pytest.mark.timeout(90)


def inodes(folder: Path) -> dict[str, int]:
    """Each file's inode (a file a run rewrites is a new one); temp files
    come and go while a run writes, so they are left out."""
    with os.scandir(folder) as entries:
        return {
            entry.name: entry.inode()
            for entry in entries
            if not entry.name.startswith(TEMP_PREFIX)
        }


def manifest_of(folder: Path) -> dict[str, object]:
    return json.loads((folder / MANIFEST).read_text())


def interrupted_rerun(folder: Path, *argv: object) -> tuple[int, set[str]]:
    """Start a 2,000,000-item run into folder, Ctrl-C it as soon as it wrote a
    file; (the count it reports, the names of the files it wrote)."""
    before = inodes(folder)
    process = subprocess.Popen(
        generate_command(*argv, "-q", 2_000_000, "-o", folder, "--seed", 9),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    stderr = interrupt_when(
        process,
        lambda: any(before.get(n) != ino for n, ino in inodes(folder).items()),
        30,
        "the rerun wrote nothing",
    )
    match = INTERRUPTED.match(stderr.decode())
    assert match, stderr
    after = inodes(folder)
    written = {
        name
        for name, ino in after.items()
        if before.get(name) != ino and name != MANIFEST
    }
    return int(match["count"].replace(",", "")), written


def test_an_interrupted_rerun_counts_and_lists_only_its_own_files(
    invoke, tmp_path: Path
) -> None:
    """As found: 'wrote 30,000' after a Ctrl-C when about 12,000 were written,
    the rest being an earlier run's files."""
    folder = tmp_path / "orders"
    invoke("document", "-p", "order", "-q", 4000, "-o", folder, "--quiet")

    count, written = interrupted_rerun(folder, "document", "-p", "order")

    assert 0 < count < 4000, "the rerun overwrote every earlier file: no test"
    manifest = manifest_of(folder)
    assert manifest["complete"] is False and manifest["count"] == count
    assert set(manifest["files"]) == written  # type: ignore[arg-type]
    assert len(written) == count
    assert len(list(folder.glob("order_*.json"))) == 4000  # the earlier ones stay


def test_an_interrupted_journey_rerun_counts_only_its_own_journeys(
    invoke, tmp_path: Path
) -> None:
    folder = tmp_path / "journeys"
    invoke("journey", "-p", "ecommerce", "-q", 150, "-o", folder, "--seed", 1)
    earlier = set(inodes(folder))

    count, written = interrupted_rerun(folder, "journey", "-p", "ecommerce")

    zips = {name for name in written if name.endswith(".zip")}
    assert count == len(zips) > 0
    assert written == zips | {name[: -len(".zip")] + ".json" for name in zips}
    manifest = manifest_of(folder)
    assert manifest["complete"] is False and manifest["count"] == count
    assert set(manifest["files"]) == written  # type: ignore[arg-type]
    assert earlier - {MANIFEST} <= set(inodes(folder))


def test_a_whole_rerun_lists_exactly_its_files(invoke, tmp_path: Path) -> None:
    folder = tmp_path / "orders"
    invoke("document", "-p", "order", "-q", 5, "-o", folder)
    assert not (folder / MANIFEST).exists()  # one run's files: nothing to tell

    result = invoke("document", "-p", "order", "-q", 3, "-o", folder)

    assert "wrote 3 order documents" in result.stderr
    assert manifest_of(folder) == {
        "provider": "order",
        "complete": True,
        "count": 3,
        "files": [f"order_{i:06d}.json" for i in range(3)],
    }
    invoke("document", "-p", "order", "-q", 2, "-o", folder)
    assert manifest_of(folder)["files"] == ["order_000000.json", "order_000001.json"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_run_of_no_events_replaces_the_earlier_file(
    invoke, tmp_path: Path, fmt: str
) -> None:
    """As found: `simulate web --actors 1 --duration 1s -o e.jsonl` said
    'wrote 0' and left the earlier e.jsonl in place."""
    target = tmp_path / f"e.{fmt}"
    common = ["simulate", "web", "--format", fmt, "-o", target, "--seed", 1]
    invoke(*common, "--actors", 20, "--duration", "1h")
    assert target.stat().st_size > 0

    result = invoke(*common, "--actors", 1, "--duration", "1s")

    assert result.stderr.startswith("wrote 0 web events")
    if fmt == "json":  # one JSON array: an empty one
        assert json.loads(target.read_text()) == []
    else:
        assert target.read_bytes() == b""


def test_a_parquet_sink_of_no_events_replaces_the_earlier_file(
    invoke, tmp_path: Path
) -> None:
    target = tmp_path / "e.parquet"
    common = ["simulate", "web", "--sink", f"file:{target}", "--seed", 1]
    invoke(*common, "--actors", 20, "--duration", "1h")
    assert pq.read_table(target).num_rows > 0

    invoke(*common, "--actors", 1, "--duration", "1s")

    assert pq.read_table(target).num_rows == 0
