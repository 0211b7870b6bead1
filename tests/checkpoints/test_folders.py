"""Folders of a file per event resumed: a zip and metadata per journey, a
JSON file per document into a folder an earlier run filled."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.checkpoints.runs import ok, start, stop_mid_run, temp_files


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_journey_zips_killed_and_resumed(tmp_path: Path) -> None:
    run = ("journey", "-p", "ecommerce", "-q", 400, "--seed", 1)
    ok(tmp_path, *run, "-o", "ref")
    process = start(
        tmp_path, *run, "-o", "out", "--checkpoint", "ck", "--checkpoint-every", 50
    )
    at_kill, _ = stop_mid_run(process, tmp_path / "ck", signal.SIGKILL)
    assert 0 < at_kill["events"] < 400

    stderr = ok(tmp_path, *run, "-o", "out", "--workers", 2, "--resume", "ck")

    assert stderr.startswith("wrote 400 ecommerce journeys to out")
    assert contents(tmp_path / "out") == contents(tmp_path / "ref")
    assert len(contents(tmp_path / "out")) == 800  # a zip and its metadata each
    assert temp_files(tmp_path) == []


def test_document_folder_shared_with_an_earlier_run(tmp_path: Path) -> None:
    """The manifest names the run's files, both parts, and none of the
    earlier run's that it did not write again."""
    run = ("document", "-p", "starfleet_account", "--format", "json", "--seed", 3)
    ok(tmp_path, *run, "-q", 1200, "-o", "out")  # files 0..1199 of another run
    process = start(
        tmp_path,
        *(*run, "-q", 1000, "-o", "out", "--workers", 2),
        *("--checkpoint", "ck", "--checkpoint-every", 100),
    )
    stop_mid_run(process, tmp_path / "ck", signal.SIGKILL)

    ok(tmp_path, *run, "-q", 1000, "-o", "out", "--resume", "ck")

    manifest = json.loads((tmp_path / "out" / "_manifest.json").read_text())
    assert manifest["complete"] is True and manifest["count"] == 1000
    assert manifest["files"] == [f"starfleet_account_{i:06d}.json" for i in range(1000)]
    ok(tmp_path, *run, "-q", 1000, "-o", "ref")
    written = {name: data for name, data in contents(tmp_path / "out").items()}
    assert {name: written[name] for name in manifest["files"]} == contents(
        tmp_path / "ref"
    )
    assert temp_files(tmp_path) == []
