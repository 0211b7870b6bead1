"""The progress bar (only on a terminal, only for runs that take a while) and the
summary line."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import time

import pytest

from datagen.cli.progress import ProgressBar, summarise, summary_line
from datagen.runs.loop import RunResult
from tests.processes import generate_command


def on_a_terminal(*argv: object) -> tuple[int, str]:
    """Run argv with stderr on a pseudo-terminal; (exit code, what it showed)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        generate_command(*argv), stderr=slave, stdout=subprocess.DEVNULL
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed: the run is over
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return process.wait(), seen.decode()


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_no_bar_for_a_quick_run_or_off_a_terminal():
    quick = Terminal()
    bar = ProgressBar(1000, "docs", stream=quick)
    bar.update(1000)
    bar.close()
    assert quick.getvalue() == ""

    piped = io.StringIO()
    bar = ProgressBar(1000, "docs", stream=piped)
    bar.started -= 5  # as if it had been running for 5 s
    bar.update(500)
    assert piped.getvalue() == "" and bar.done == 500


def test_a_slow_run_draws_clicks_bar_and_ends_its_line():
    terminal = Terminal()
    bar = ProgressBar(1000, "docs", stream=terminal, label="order")
    time.sleep(0.55)
    bar.update(500)
    drawn = terminal.getvalue()
    assert re.search(r"order  \[#{18}-{18}\]  +50%  500/1,000 docs [\d,]+/s", drawn)
    bar.update(100)  # within the redraw interval: not drawn again
    assert terminal.getvalue() == drawn
    bar.close()
    assert "600/1,000 docs" in terminal.getvalue()  # the last count is shown
    assert terminal.getvalue().endswith("\n")  # the summary gets a line of its own


def test_a_run_of_unknown_length_shows_its_count():
    terminal = Terminal()
    bar = ProgressBar(None, "events", stream=terminal)
    bar.started -= 5
    bar.update(12_345)
    bar.close()
    assert re.search(r"\[[#-]+\]  12,345 events [\d,]+/s", terminal.getvalue())
    assert "%" not in terminal.getvalue()


def test_disabled_means_no_bar():
    terminal = Terminal()
    bar = ProgressBar(10, "docs", enabled=False, stream=terminal)
    bar.started -= 5
    bar.update(5)
    bar.close()
    assert terminal.getvalue() == ""


def test_the_summary_after_ctrl_c_says_what_was_requested_and_exits_130(capsys):
    result = RunResult(1500, 10_000, "out/x.jsonl", 42, 2.0, interrupted=True)
    with pytest.raises(SystemExit) as exited:
        summarise(result, "order documents", requested=10_000)
    assert exited.value.code == 130
    assert capsys.readouterr().err == (
        "interrupted: wrote 1,500 of 10,000 requested order documents to "
        "out/x.jsonl in 2.00s (750/s), seed 42\n"
    )


def test_quiet_says_nothing_even_after_ctrl_c(capsys):
    result = RunResult(1500, 10_000, "out/x.jsonl", 42, 2.0, interrupted=True)
    with pytest.raises(SystemExit) as exited:
        summarise(result, "order documents", quiet=True, requested=10_000)
    assert exited.value.code == 130
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "result, requested, stopped, line",
    [
        (
            RunResult(421, 421, "stdout", 7, 1.0, interrupted=True),
            None,
            None,
            "interrupted: wrote 421, no limit, web events to stdout in 1.00s "
            "(421/s), seed 7",
        ),
        (
            RunResult(1000, 1000, "o.jsonl", 7, 2.0),
            1000,
            None,
            "wrote 1,000 web events to o.jsonl in 2.00s (500/s), seed 7",
        ),
        (
            RunResult(1179, 3000, "stdout", 7, 1.0),
            3000,
            "stopped at --duration 1d",
            "wrote 1,179 of 3,000 requested web events to stdout in 1.00s "
            "(1,179/s), seed 7; stopped at --duration 1d",
        ),
    ],
)
def test_the_summary_line(result, requested, stopped, line):
    assert summary_line(result, "web events", requested, stopped) == line


@pytest.mark.timeout(60)
def test_a_real_terminal_sees_the_bar(tmp_path):
    """stderr on a pseudo-terminal: a run of a second or two draws the bar."""
    code, text = on_a_terminal(
        *("document", "-p", "starfleet_account", "-q", 60_000, "--seed", 1),
        *("--format", "jsonl", "-o", tmp_path / "a.jsonl"),
    )
    assert code == 0, text
    summary = re.search(
        r"wrote 60,000 starfleet_account documents to \S+a\.jsonl in (\d+\.\d+)s",
        text,
    )
    assert summary, text
    if float(summary[1]) < 0.7:
        pytest.skip("this machine made 60,000 documents too fast for a bar")
    bar = r"\rstarfleet_account  \[#*-*\] +\d+%.* [\d,]+/60,000 docs"
    assert re.search(bar, text.replace("\x1b[?25l", "")), text
    assert "\x1b[?25h\r\nwrote 60,000" in text  # the bar ends, the summary follows
