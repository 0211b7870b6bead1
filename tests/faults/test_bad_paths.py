"""A manifest or truth path that cannot be written stops the run before it
writes anything: one line naming the option, exit 2, no output left."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "option, value, named",
    [
        ("--manifest", "{blocker}/run.json", "--manifest folder"),
        ("--faults-manifest", "{blocker}/f.jsonl", "--faults-manifest folder"),
        ("--manifest", "{tmp}", "is a directory"),
        ("--truth", "{blocker}/truth", "--truth folder"),
    ],
)
def test_an_unwritable_path_stops_the_run_first(
    tmp_path: Path, option: str, value: str, named: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    out = tmp_path / "out.jsonl"
    argv = [
        *(sys.executable, ROOT / "generate.py", "simulate", "web", "--count", "50"),
        *("--faults", "null=0.1", "-o", out),
        *(option, value.format(blocker=blocker, tmp=tmp_path)),
    ]
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
    assert named in done.stderr
    assert not out.exists()


def test_missing_folders_of_the_manifests_are_made(tmp_path: Path) -> None:
    argv = [
        *(sys.executable, ROOT / "generate.py", "simulate", "web", "--count", "50"),
        *("--faults", "null=0.1", "-o", tmp_path / "out.jsonl", "--quiet"),
        *("--manifest", tmp_path / "new" / "run.json"),
        *("--faults-manifest", tmp_path / "other" / "f.jsonl"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "run.json").is_file()
    assert (tmp_path / "other" / "f.jsonl").is_file()
