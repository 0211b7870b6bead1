"""A closed pipe ends every command quietly with exit 0, like other Unix tools:
`list | head -1`, `show web | head -1`, `--sink stdout | head`, `-o /dev/stdout`,
CSV and JSON on stdout, replay; the summary counts what reached the pipe."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_closed_pipe import ENV, in_bash
from tests.processes import ROOT, generate_command

COMMANDS = {
    "list": ["list"],
    "show a simulation": ["show", "web"],
    "show a document": ["show", "order"],
    "document --sink stdout": ["document", "-p", "order", "-q", 100_000,
                               "--sink", "stdout"],
    "document -o /dev/stdout": ["document", "-p", "order", "-q", 100_000,
                                "-o", "/dev/stdout"],
    "document csv on stdout": ["document", "-p", "order", "-q", 100_000,
                               "--format", "csv", "-o", "-"],
    "document json on stdout": ["document", "-p", "order", "-q", 100_000,
                                "--format", "json", "-o", "-"],
    "simulate --sink stdout": ["simulate", "web", "--actors", 300,
                               "--duration", "1d", "--sink", "stdout"],
}  # fmt: skip


def _head_one(argv: list[object]) -> subprocess.CompletedProcess[str]:
    """`python generate.py ARGV | head -1` in bash; stdout is head's, and the
    last line of stdout is the generator's exit status (PIPESTATUS[0])."""
    return in_bash(argv, '{command} | head -1; echo "status ${{PIPESTATUS[0]}}"')


def _reader_gone(argv: list[object]) -> subprocess.CompletedProcess[str]:
    """The command writing into a pipe whose reader has already closed: its
    first write to stdout fails (EPIPE), whatever the timing."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            generate_command(*argv),
            cwd=ROOT,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env=ENV,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_head_one_gets_a_line_and_the_generator_exits_0(name):
    result = _head_one(COMMANDS[name])
    *lines, status = result.stdout.splitlines()
    assert status == "status 0", result.stderr
    assert len(lines) == 1 and lines[0], result.stdout
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_reader_gone_before_the_first_write_is_not_an_error(name):
    result = _reader_gone(COMMANDS[name])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


def test_the_summary_counts_what_reached_the_pipe_not_0():
    result = _head_one(["document", "-p", "order", "-q", 100_000, "--seed", 1,
                        "--format", "csv", "-o", "-"])  # fmt: skip
    match = re.search(r"wrote ([\d,]+) of 100,000 requested order", result.stderr)
    assert match, result.stderr
    assert 1 <= int(match[1].replace(",", "")) < 100_000


def test_replay_into_head_exits_0(tmp_path: Path):
    made = subprocess.run(
        generate_command("journey", "-p", "starfleet", "-q", 200, "--seed", 1,
                         "-o", tmp_path, "--quiet"),
        env=ENV, timeout=120, check=True,
    )  # fmt: skip
    assert made.returncode == 0
    result = _head_one(["replay", tmp_path, "--speed", 0, "--quiet"])
    *lines, status = result.stdout.splitlines()
    assert status == "status 0" and len(lines) == 1, result.stderr
    assert result.stderr == ""
