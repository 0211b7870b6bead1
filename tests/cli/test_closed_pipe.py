"""`| head` is not an error: every command that writes to stdout stops quietly
when its reader goes, exits 0, and prints no traceback."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.processes import ROOT, generate_command

COMMANDS = {
    "document": ["document", "-p", "order", "-q", "200000", "-o", "-"],
    "document --workers 2": [
        "document",
        "-p",
        "order",
        "-q",
        "200000",
        "-o",
        "-",
        "--workers",
        "2",
    ],
    "journey": ["journey", "-p", "starfleet", "-q", "20000", "-o", "-"],
    "simulate": ["simulate", "web", "--actors", "500", "--duration", "1d"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_reader_that_stops_early_ends_the_run_quietly(name):
    command = generate_command(*COMMANDS[name], "--seed", "1", "--quiet")
    # The shell's `| head -n 3`: the reader exits after three lines.
    pipeline = f"{subprocess.list2cmdline(command)} | head -n 3"
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {pipeline}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert len(result.stdout.splitlines()) == 3
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Broken pipe" not in result.stderr


def test_the_summary_counts_the_lines_that_reached_the_pipe():
    command = generate_command(*COMMANDS["document"], "--seed", "1")
    result = subprocess.run(
        ["bash", "-c", f"{subprocess.list2cmdline(command)} | head -n 3 >/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    match = re.search(r"wrote ([\d,]+) order documents to stdout", result.stderr)
    assert match, result.stderr
    written = int(match[1].replace(",", ""))
    # at least what head read, at most what a pipe buffer holds (64 KiB)
    assert 3 <= written < 200_000
    assert written * 200 < 2**20
