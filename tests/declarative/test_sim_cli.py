"""Declared simulations through the real CLI (`python generate.py`): the same
seed gives the same bytes, --workers changes none, `emit` streams go where
--route sends them, and bad files or failing expressions are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

AUDITED = """\
provider: audited
kind: simulation
model: state_machine
states: [out, in]
tick: 30s
subject:
  attributes:
    visits: 0
transitions:
  - {name: enter, from: out, to: in, percent: 20, set: {visits: "visits + 1"},
     emit: [audit, ledger]}
  - {name: leave, from: in, to: out, percent: 50, emit: [audit]}
"""


def run(*argv: object, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def ok(*argv: object, cwd: Path = ROOT) -> str:
    done = run(*argv, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "name,length",
    [("banking_yaml", "2d"), ("customers_yaml", "2h"), ("web_yaml", "6h")],
)
def test_same_seed_same_bytes_whatever_the_workers(name: str, length: str) -> None:
    argv = ["simulate", name, "--providers-dir", EXAMPLES, "--actors", 60]
    argv += ["--duration", length, "--seed", 7]
    first = ok(*argv)
    assert len(first.splitlines()) > 20
    assert first == ok(*argv, "--workers", 1)
    assert first == ok(*argv, "--workers", 2)
    assert first != ok(*argv[:-1], 8)


def test_emit_streams_go_where_route_sends_them(tmp_path: Path) -> None:
    providers = tmp_path / "providers"
    providers.mkdir()
    (providers / "audited.yaml").write_text(AUDITED)
    ok(
        "simulate",
        "audited",
        "--actors",
        20,
        "--duration",
        "2h",
        "--seed",
        3,
        "--route",
        "stream=audit=file:audit.jsonl",
        "--route",
        "stream=ledger=file:ledger.jsonl",
        cwd=tmp_path,  # ./providers/ is read by every command
    )
    audit = [orjson.loads(x) for x in (tmp_path / "audit.jsonl").read_text().split()]
    ledger = [orjson.loads(x) for x in (tmp_path / "ledger.jsonl").read_text().split()]
    assert {e["stream"] for e in audit} == {"audit"}
    assert {e["trigger"] for e in audit} == {"enter", "leave"}
    assert ledger and {e["trigger"] for e in ledger} == {"enter"}
    entered = [e for e in audit if e["trigger"] == "enter"]
    assert [{**e, "stream": "ledger"} for e in entered] == ledger
    assert all(e["visits"] >= 1 for e in ledger)


def test_a_failing_expression_stops_the_run_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        AUDITED.replace("audited", "broken").replace('"visits + 1"', '"visits / 0"')
    )
    done = run("simulate", "broken", "--providers-dir", tmp_path, "--count", 5)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "broken.yaml" in lines[0] and "transitions[0].set.visits" in lines[0]


def test_a_bad_file_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(AUDITED.replace("to: in", "to: inn", 1))
    done = run("simulate", "audited", "--providers-dir", tmp_path, "--count", 5)
    assert done.returncode != 0, done.stderr
    assert "bad.yaml:10: transitions[0].to: 'inn' is not one of the states" in (
        done.stderr
    )
    checked = run("validate", tmp_path / "bad.yaml")
    assert checked.returncode == 1
    assert "bad.yaml:10: transitions[0].to:" in checked.stdout + checked.stderr


def test_config_is_for_web_only() -> None:
    done = run(
        "simulate", "banking_yaml", "--providers-dir", EXAMPLES, "--config", "x.yml"
    )
    assert done.returncode == 2 and "not used" in done.stderr
