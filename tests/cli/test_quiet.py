"""--quiet prints nothing on success, Ctrl-C included (the exit code still
says 130); without it the interrupted summary says how much of what was asked
was written: "wrote 421 of 1,000 requested", or "421, no limit"."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.processes import generate_command

pytestmark = pytest.mark.timeout(90)


def _default_sigint() -> None:
    # A background job starts with SIGINT ignored; a user's Ctrl-C is not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _ctrl_c(argv: list[object]) -> tuple[int, str]:
    """Run argv, send SIGINT a second in (well under way); (exit code, stderr)."""
    process = subprocess.Popen(
        generate_command(*argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    time.sleep(1.0)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr.decode()


BIG_RUN = ["document", "-p", "order", "-q", 5_000_000, "--seed", 3, "-o", "-"]
NO_LIMIT = ["journey", "-p", "ecommerce", "-q", 1_000_000, "--seed", 3,
            "--sink", "stdout"]  # fmt: skip


def test_quiet_prints_nothing_after_ctrl_c():
    code, stderr = _ctrl_c([*BIG_RUN, "--quiet"])
    assert code == 130
    assert stderr == ""


def test_quiet_prints_nothing_after_ctrl_c_of_a_stream_without_limit():
    code, stderr = _ctrl_c([*NO_LIMIT, "--quiet"])
    assert code == 130
    assert stderr == ""


def test_the_interrupted_summary_says_what_was_requested():
    code, stderr = _ctrl_c(BIG_RUN)
    assert code == 130
    assert re.fullmatch(
        r"interrupted: wrote [\d,]+ of 5,000,000 requested order documents to "
        r"stdout in \d+\.\d\ds \([\d,]+/s\), seed 3\n",
        stderr,
    ), stderr


def test_the_interrupted_summary_of_a_run_without_limit_says_so():
    code, stderr = _ctrl_c(NO_LIMIT)
    assert code == 130
    headline = stderr.splitlines()[0]
    assert re.fullmatch(
        r"interrupted: wrote [\d,]+, no limit, ecommerce journey steps to stdout "
        r"in \d+\.\d\ds \([\d,]+/s\), seed 3",
        headline,
    ), stderr


def test_quiet_prints_nothing_on_success(tmp_path: Path):
    result = subprocess.run(
        generate_command("document", "-p", "order", "-q", 3, "--quiet",
                         "-o", tmp_path / "o.jsonl"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 3
