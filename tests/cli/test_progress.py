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

from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.loop import RunResult
from tests.processes import generate_command


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


def test_a_slow_run_draws_the_bar_and_clears_it():
    terminal = Terminal()
    bar = ProgressBar(1000, "docs", stream=terminal)
    time.sleep(0.55)
    bar.update(500)
    drawn = terminal.getvalue()
    assert re.match(r"^\r\[#{15} {15}\]  50% 500/1,000 docs [\d,]+/s$", drawn), drawn
    bar.update(100)  # within the redraw interval: not drawn again
    assert terminal.getvalue() == drawn
    bar.close()
    assert terminal.getvalue().endswith("\r\033[K")


def test_disabled_means_no_bar():
    terminal = Terminal()
    bar = ProgressBar(10, "docs", enabled=False, stream=terminal)
    bar.started -= 5
    bar.update(5)
    bar.close()
    assert terminal.getvalue() == ""


def test_the_summary_after_ctrl_c_exits_130(capsys):
    result = RunResult(1500, 10_000, "out/x.jsonl", 42, 2.0, interrupted=True)
    with pytest.raises(SystemExit) as exited:
        summarise(result, "order documents", quiet=True)  # said even when quiet
    assert exited.value.code == 130
    assert capsys.readouterr().err == (
        "interrupted: wrote 1,500 of 10,000 order documents to out/x.jsonl "
        "in 2.00s (750/s), seed 42\n"
    )


@pytest.mark.timeout(60)
def test_a_real_terminal_sees_the_bar(tmp_path):
    """stderr on a pseudo-terminal: a run of a second or two draws the bar."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        generate_command(
            *("document", "-p", "starfleet_account", "-q", 60_000, "--seed", 1),
            *("--format", "jsonl", "-o", tmp_path / "a.jsonl"),
        ),
        stderr=slave,
        stdout=subprocess.DEVNULL,
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
    assert process.wait() == 0
    text = seen.decode()
    summary = re.search(
        r"wrote 60,000 starfleet_account documents to \S+a\.jsonl in (\d+\.\d+)s",
        text,
    )
    assert summary, text
    if float(summary[1]) < 0.7:
        pytest.skip("this machine made 60,000 documents too fast for a bar")
    assert re.search(r"\r\[#* *\] +\d+% [\d,]+/60,000 docs", text), text
    assert "\r\x1b[K" in text  # cleared before the summary
