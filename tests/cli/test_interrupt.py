"""Ctrl-C: only whole records stay, and the message says how many were written."""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from datagen.files.atomic import TEMP_PREFIX
from tests.processes import generate_command

QUANTITY = 2_000_000  # far more than a second's worth
INTERRUPTED = re.compile(
    r"^interrupted: wrote (?P<count>[\d,]+) of 2,000,000 (?P<what>[\w ]+) to "
    r"(?P<target>\S+) in \d+\.\d\ds \([\d,]+/s\), seed 9$"
)

pytestmark = pytest.mark.timeout(90)


def _default_sigint() -> None:
    # A shell's background job starts with SIGINT ignored; a user's Ctrl-C is not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*argv: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        generate_command(*argv, "--seed", 9),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )


def wait_for_output(folder: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the run has written something (so it is past start-up)."""
    deadline = time.monotonic() + 30
    while not (folder.exists() and any(folder.iterdir())):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run wrote nothing in 30 s"
        time.sleep(0.05)


def interrupt(process: subprocess.Popen[bytes], after: float = 1.0) -> tuple[int, str]:
    """Ctrl-C `after` seconds from now; (the count it reports, its stderr)."""
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, stderr_bytes = process.communicate(timeout=60)
    stderr = stderr_bytes.decode()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    match = INTERRUPTED.match(lines[0])
    assert match, lines[0]
    count = int(match["count"].replace(",", ""))
    assert 0 < count < QUANTITY
    return count, stderr


def assert_no_temp_files(folder: Path) -> None:
    assert list(folder.glob(f"{TEMP_PREFIX}*")) == []


def test_jsonl_keeps_whole_lines(tmp_path):
    target = tmp_path / "out" / "accounts.jsonl"
    process = start(
        *("document", "-p", "starfleet_account", "-q", QUANTITY),
        *("--format", "jsonl", "-o", target),
    )
    wait_for_output(target.parent, process)
    count, _ = interrupt(process)
    lines = target.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a whole line
    documents = [json.loads(line) for line in lines[:-1]]
    assert len(documents) == count
    assert len({document["id"] for document in documents}) == count
    assert_no_temp_files(target.parent)


@pytest.mark.parametrize("workers", [1, 2])
def test_json_folder_keeps_whole_files(tmp_path, workers):
    folder = tmp_path / "out"
    process = start(
        *("document", "-p", "starfleet_account", "-q", QUANTITY),
        *("-o", folder, "--workers", workers),
    )
    wait_for_output(folder, process)
    count, _ = interrupt(process)
    files = list(folder.iterdir())
    assert len(files) == count
    for path in files:
        assert re.match(r"^starfleet_account_\d{6}\.json$", path.name), path.name
        assert json.loads(path.read_bytes())["id"]
    assert_no_temp_files(folder)


def test_stdout_keeps_whole_lines(tmp_path):
    """Ctrl-C while the run waits on a full pipe: the lines it counts all arrive."""
    stderr_path = tmp_path / "stderr"
    with stderr_path.open("wb") as stderr_file:
        process = subprocess.Popen(
            generate_command(
                *("document", "-p", "customer", "-q", QUANTITY, "-o", "-"),
                *("--seed", 9),
            ),
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            preexec_fn=_default_sigint,
        )
        assert process.stdout is not None
        # Wait (without reading) until output comes: the pipe then fills up.
        assert select.select([process.stdout], [], [], 30)[0], "no output in 30 s"
        time.sleep(0.7)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    stderr = stderr_path.read_text()
    assert process.returncode == 130, stderr
    match = INTERRUPTED.match(stderr.strip())
    assert match and match["target"] == "stdout", stderr
    lines = output.split(b"\n")
    assert lines[-1] == b""
    documents = [json.loads(line) for line in lines[:-1]]
    assert len(documents) == int(match["count"].replace(",", "")) > 0


def test_journeys_keep_whole_journeys(tmp_path):
    folder = tmp_path / "journeys"
    process = start(
        "journey", "-p", "ecommerce", "-q", QUANTITY, "-o", folder, "--workers", 2
    )
    wait_for_output(folder, process)
    count, _ = interrupt(process)
    zips = sorted(folder.glob("*.zip"))
    assert sorted(folder.glob("*.json")) == [z.with_suffix(".json") for z in zips]
    assert len(zips) == count
    for zip_path in zips:
        metadata = json.loads(zip_path.with_suffix(".json").read_text())
        with zipfile.ZipFile(zip_path) as archive:
            assert archive.testzip() is None
            assert archive.namelist() == [s["filename"] for s in metadata["steps"]]
    assert_no_temp_files(folder)
