"""Every command that can run longer than a second draws a bar on a terminal:
`simulate starfleet` (no known end: a count), `replay -o folder` (toward the
number of documents), `journey`; never on a pipe."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.test_progress import on_a_terminal
from tests.processes import run_generate

pytestmark = pytest.mark.timeout(120)


def _seconds(text: str) -> float:
    found = re.search(r" in (\d+\.\d+)s ", text)
    assert found, text
    return float(found[1])


def test_simulate_without_a_known_end_shows_a_count(tmp_path):
    code, shown = on_a_terminal(
        "simulate", "starfleet", "--actors", 2000, "--seed", 1,
        "-o", tmp_path / "s.jsonl",
    )  # fmt: skip
    assert code == 0, shown
    if _seconds(shown) < 0.8:
        pytest.skip("this machine ran it too fast for a bar")
    assert re.search(r"\[[#-]+\]  [\d,]+ events [\d,]+/s", shown), shown


def test_replay_into_a_folder_counts_toward_its_documents(tmp_path):
    journeys = tmp_path / "j"
    made = run_generate("journey", "-p", "ecommerce", "-q", 40, "--seed", 1,
                        "-o", journeys, "--quiet")  # fmt: skip
    assert made.returncode == 0, made.stderr
    last = max(
        step["offset_seconds"]
        for metadata in journeys.glob("*.json")
        for step in json.loads(metadata.read_text())["steps"]
    )
    speed = last / 1.5  # the replay lasts a second and a half
    code, shown = on_a_terminal(
        "replay", journeys, "--speed", speed, "-o", tmp_path / "r"
    )
    assert code == 0, shown
    assert re.search(r"replay  \[#*-*\] +\d+%.* [\d,]+/200 documents", shown), shown
    assert "wrote 200 documents to " in shown


def test_no_bar_when_stderr_is_no_terminal(tmp_path):
    result = run_generate("simulate", "starfleet", "--actors", 2000, "--seed", 1,
                          "-o", tmp_path / "s.jsonl")  # fmt: skip
    assert result.returncode == 0
    assert result.stderr.startswith("wrote ") and result.stderr.count("\n") == 1
