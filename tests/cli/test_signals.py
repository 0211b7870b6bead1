"""SIGTERM and SIGHUP stop a run the way Ctrl-C does (issue 9, case 7).

Found as: `kill PID` (or a service manager's stop, or a closed terminal) left
no summary, temporary files behind and `--workers` children orphaned: simulate
workers blocked for good, document and journey workers printing BrokenPipeError
tracebacks. Now the run stops, flushes, reports and exits 128 + the signal;
workers ignore the group's signals, stop with the run and die with their parent.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from datagen.files.atomic import TEMP_PREFIX
from tests.processes import ROOT, generate_command

pytestmark = pytest.mark.timeout(120)

QUANTITY = 2_000_000  # far more than a second's worth
SUMMARY = re.compile(
    r"^interrupted: wrote (?P<count>[\d,]+)(?: of [\d,]+ requested|, no limit,) "
    r"[\w ]+ to \S+ in "
    r"\d+\.\d\ds \([\d,]+/s\), seed 9$"
)
RUNS = {
    "document": (
        "document",
        "-p",
        "starfleet_account",
        "-q",
        QUANTITY,
        "--format",
        "jsonl",
    ),
    "journey": ("journey", "-p", "starfleet", "-q", QUANTITY),
    "simulate": ("simulate", "customers", "--actors", "2000", "--duration", "300d"),
}


_STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_run_outlives_its_test() -> Iterator[None]:
    """A test that fails half-way must not leave its runs (and their workers)
    going: every run started is killed, with its process group, at the end."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (PermissionError, ProcessLookupError):
                process.kill()
            process.wait(timeout=30)


def start(*argv: object) -> subprocess.Popen[bytes]:
    """A real `python generate.py` run in a process group of its own, as a
    service is, so the whole group can be signalled (and cleaned up)."""
    process = subprocess.Popen(
        generate_command(*argv, "--seed", 9),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    _STARTED.append(process)
    return process


def wait_for(folder: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the run has written something in folder (past start-up)."""
    deadline = time.monotonic() + 30
    while not (folder.exists() and any(folder.iterdir())):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run wrote nothing in 30 s"
        time.sleep(0.05)
    time.sleep(0.5)


def children(pid: int) -> list[int]:
    """The processes whose parent is pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """True while pid exists and is not a zombie."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def assert_gone(pids: list[int], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while any(running(pid) for pid in pids):
        assert time.monotonic() < deadline, [p for p in pids if running(p)]
        time.sleep(0.05)


def summary_count(stderr: str) -> int:
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    return int(match["count"].replace(",", ""))


@pytest.mark.parametrize(
    "signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
def test_a_stop_signal_flushes_reports_and_exits_128_plus_it(
    tmp_path: Path, signum: int, code: int
) -> None:
    target = tmp_path / "out" / "accounts.jsonl"
    process = start(*RUNS["document"], "-o", target)
    wait_for(target.parent, process)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    count = summary_count(stderr.decode())
    lines = target.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == count > 0  # whole lines only
    assert list(target.parent.glob(f"{TEMP_PREFIX}*")) == []


@pytest.mark.parametrize("name", list(RUNS))
def test_sigterm_to_the_process_group_stops_workers_quietly(
    tmp_path: Path, name: str
) -> None:
    """As a service manager stops a service: SIGTERM to every process."""
    target = tmp_path / "out" / ("" if name == "journey" else "out.jsonl")
    process = start(*RUNS[name], "--workers", 2, "-o", target)
    wait_for(tmp_path / "out", process)
    workers = children(process.pid)
    assert len(workers) >= 2
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    count = summary_count(stderr.decode())  # nothing from the workers either
    if name != "journey":
        assert len(target.read_bytes().splitlines()) == count
    assert_gone(workers)
    assert list(tmp_path.rglob(f"{TEMP_PREFIX}*")) == []


@pytest.mark.parametrize("name", list(RUNS))
def test_workers_die_with_their_parent(tmp_path: Path, name: str) -> None:
    """SIGKILL gives the parent no chance to stop them: the kernel does."""
    target = tmp_path / "out" / ("" if name == "journey" else "out.jsonl")
    process = start(*RUNS[name], "--workers", 2, "-o", target)
    wait_for(tmp_path / "out", process)
    workers = children(process.pid)
    assert len(workers) >= 2
    process.kill()
    _, stderr = process.communicate(timeout=30)
    assert_gone(workers)
    assert b"Traceback" not in stderr


@pytest.mark.parametrize("name", ["document", "simulate"])
def test_a_worker_killed_mid_run_fails_the_run_in_one_line(
    tmp_path: Path, name: str
) -> None:
    """The OOM killer, or a user's kill -9, takes one worker: the run ends at
    once with one line naming what happened, and leaves no partial file."""
    target = tmp_path / "out" / "out.jsonl"
    process = start(*RUNS[name], "--workers", 2, "-o", target)
    wait_for(tmp_path / "out", process)
    workers = children(process.pid)
    assert len(workers) >= 2
    os.kill(max(workers), signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1, stderr
    message = stderr.decode().strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert "killed by SIGKILL" in message, message
    assert_gone(workers)
    assert list(tmp_path.rglob(f"{TEMP_PREFIX}*")) == []
    assert not target.exists()
