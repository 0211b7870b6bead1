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


#: The environment the commands run in: the repository importable.
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def in_bash(argv: list[object], script: str) -> subprocess.CompletedProcess[str]:
    """The bash script with {command} standing for `python generate.py ARGV`,
    run from the repository; its stdout and stderr kept."""
    command = subprocess.list2cmdline(generate_command(*argv))
    return subprocess.run(
        ["bash", "-c", script.format(command=command)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
    )


def _piped_into_head(
    argv: list[object], shell_tail: str
) -> subprocess.CompletedProcess[str]:
    """`python generate.py ARGV | head -n 3 SHELL_TAIL` in bash, with pipefail
    so the exit code is datagen's."""
    return in_bash(argv, "set -o pipefail; {command} | head -n 3 " + shell_tail)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_reader_that_stops_early_ends_the_run_quietly(name):
    result = _piped_into_head([*COMMANDS[name], "--seed", "1", "--quiet"], "")
    assert len(result.stdout.splitlines()) == 3
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Broken pipe" not in result.stderr


def test_the_summary_counts_the_lines_that_reached_the_pipe():
    result = _piped_into_head([*COMMANDS["document"], "--seed", "1"], ">/dev/null")
    assert result.returncode == 0, result.stderr
    match = re.search(
        r"wrote ([\d,]+) of 200,000 requested order documents to stdout", result.stderr
    )
    assert match, result.stderr
    written = int(match[1].replace(",", ""))
    # at least what head read, at most what a pipe buffer holds (64 KiB of
    # lines of 200 bytes or more), never the whole batch
    assert 3 <= written and written * 200 < 2**20
