"""CSV (its header once) and one JSON array (its brackets once) resumed to
the bytes of an uninterrupted run, with --workers on either side."""

from __future__ import annotations

import csv
import io
import json
import signal
from pathlib import Path

from tests.checkpoints.runs import ok, saved, start, stop_mid_run, temp_files

QUANTITY = 12_000
RUN = ("document", "-p", "starfleet_account", "-q", QUANTITY, "--seed", 3)
EVERY = ("--checkpoint-every", 1000)


def test_csv_killed_with_two_workers_resumes_with_one(tmp_path: Path) -> None:
    ok(tmp_path, *RUN, "-o", "ref.csv")
    process = start(
        tmp_path, *RUN, "-o", "out.csv", "--workers", 2, "--checkpoint", "ck", *EVERY
    )
    at_kill, _ = stop_mid_run(process, tmp_path / "ck", signal.SIGKILL)
    assert 0 < at_kill["events"] < QUANTITY

    ok(tmp_path, *RUN, "-o", "out.csv", "--workers", 1, "--resume", "ck")

    data = (tmp_path / "out.csv").read_bytes()
    assert data == (tmp_path / "ref.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len({row["id"] for row in rows}) == QUANTITY  # one header, every id once
    assert temp_files(tmp_path) == []


def test_json_array_stopped_resumes_with_two_workers(tmp_path: Path) -> None:
    ok(tmp_path, *RUN, "-o", "ref.json")
    process = start(tmp_path, *RUN, "-o", "out.json", "--checkpoint", "ck", *EVERY)
    _, stderr = stop_mid_run(process, tmp_path / "ck", signal.SIGINT)
    assert process.returncode == 130, stderr
    assert saved(tmp_path / "ck")["sinks"][0]["file"]["started"] is True

    ok(tmp_path, *RUN, "-o", "out.json", "--workers", 2, "--resume", "ck")

    data = (tmp_path / "out.json").read_bytes()
    assert data == (tmp_path / "ref.json").read_bytes()
    assert len({document["id"] for document in json.loads(data)}) == QUANTITY
    assert temp_files(tmp_path) == []
