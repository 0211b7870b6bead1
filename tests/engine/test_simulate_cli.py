"""`simulate` from the command line: outputs, scripts, and the bad-input table."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pytest

FLOW_SCRIPT = """
from datagen import Event, set_first_events

def greet(event, profile):
    return {"who": profile.first_name, "at": event.time}

hello = Event({"Name": "hello", "who": None, "at": None}, greet)
hello >> Event({"Name": "bye"})
set_first_events(hello)
"""


def jsonl(text: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


def test_jsonl_on_stdout_by_default(invoke: Any) -> None:
    result = invoke("simulate", "customers", "--actors", 5, "--count", 12, "--seed", 1)
    events = jsonl(result.stdout)
    assert len(events) == 12
    assert events[0]["event_type"] == "new_customer"
    assert "wrote 12 customers events to stdout" in result.stderr


def test_same_seed_same_stdout(invoke: Any) -> None:
    argv = ["simulate", "customers", "--actors", 9, "--duration", "2h", "--seed", 4]
    first = invoke(*argv).stdout
    assert first == invoke(*argv, "--workers", 2).stdout
    assert first != invoke(*argv[:-1], 5).stdout


def test_csv_and_json_outputs(invoke: Any, out: Path) -> None:
    invoke("simulate", "starfleet", "--actors", 3, "--seed", 2, "-o", out / "s.jsonl")
    assert len(jsonl((out / "s.jsonl").read_text())) >= 15
    script = out.parent / "flow.py"
    script.write_text(FLOW_SCRIPT.replace('hello >> Event({"Name": "bye"})', ""))
    invoke("--help")
    invoke("simulate", "--script", script, "--actors", 4, "-o", out, "--format", "csv")
    rows = list(csv.DictReader((out / "flow.csv").open()))
    assert len(rows) == 4 and set(rows[0]) == {"Name", "who", "at"}
    invoke("simulate", "customers", "--count", 3, "-o", out / "js", "--format", "json")
    assert len(list((out / "js").glob("customers_*.json"))) == 3


def test_a_script_runs_without_packaging(invoke: Any, tmp_path: Path) -> None:
    script = tmp_path / "my_flows.py"
    script.write_text(FLOW_SCRIPT)
    events = jsonl(invoke("simulate", "--script", script, "--actors", 3).stdout)
    assert [e["Name"] for e in events].count("hello") == 3
    assert [e["Name"] for e in events].count("bye") == 3
    assert all(e["who"] for e in events if e["Name"] == "hello")


def test_a_script_defining_simulation(invoke: Any, tmp_path: Path) -> None:
    script = tmp_path / "named.py"
    script.write_text(
        "from datagen import Event, Flow\n"
        "simulation = Flow(Event({'Name': 'only'}, limit=2), name='mine')\n"
    )
    result = invoke("simulate", "--script", script, "--actors", 2)
    assert len(jsonl(result.stdout)) == 4 and "mine events" in result.stderr


def test_live_run_with_a_count(invoke: Any) -> None:
    result = invoke(
        "simulate", "customers", "--live", "--rate", "200/s", "--count", 20, "--seed", 1
    )
    assert len(jsonl(result.stdout)) == 20


def test_list_shows_simulations(invoke: Any) -> None:
    output = invoke("list").stdout
    section = output[output.index("simulations:") :]
    assert "customers" in section and "starfleet" in section
    assert "[datagen.engine.simulations.customers]" in section


@pytest.mark.parametrize(
    "argv, message",
    [
        (["simulate", "nope"], "unknown simulation 'nope'"),
        (["simulate", "customers", "--live", "--rate", "-5/s"], "must be positive"),
        (["simulate", "customers", "--live", "--rate", "fast"], "is not a rate"),
        (["simulate", "customers", "--rate", "5/s"], "add --live"),
        (
            ["simulate", "customers", "--start", "2025-02-01", "--end", "2025-01-01"],
            "is not after --start",
        ),
        (["simulate", "customers", "--duration", "forever"], "not a duration"),
        (["simulate", "customers", "--timezone", "Mars/Base"], "unknown time zone"),
        (["simulate", "customers", "--actors", "0"], "at least 1"),
        (["simulate", "customers", "--count", "0"], "at least 1"),
        (["simulate", "customers", "--workers", "0"], "at least 1"),
        (["simulate", "--script", "missing_script.py"], "does not exist"),
        (["simulate"], "give a simulation NAME"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(
    invoke: Any, argv: list[str], message: str
) -> None:
    result = invoke(*argv, ok=False)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "source, message",
    [
        ("import no_such_module_here\n", "line 1 failed to import: ModuleNotFound"),
        ("def broken(:\n", "line 1 failed to import: SyntaxError"),
        ("x = 1\n", "defines no `simulation`"),
        ("x = 1\n\nraise RuntimeError('boom')\n", "line 3 failed to import"),
    ],
)
def test_a_script_that_fails_to_import(
    invoke: Any, tmp_path: Path, source: str, message: str
) -> None:
    script = tmp_path / "bad.py"
    script.write_text(source)
    result = invoke("simulate", "--script", script, ok=False)
    assert result.exit_code == 2
    assert message in result.output and "bad.py" in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_ctrl_c_keeps_whole_events_and_saves_profiles(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parents[2]
    target, people = tmp_path / "live.jsonl", tmp_path / "people.json"
    argv = [sys.executable, str(root / "generate.py"), "simulate", "customers"]
    argv += ["--live", "--rate", "100/s", "-o", str(target), "--seed", "3"]
    argv += ["--profiles", str(people), "--actors", "50"]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "interrupted: wrote" in stderr and "Traceback" not in stderr
    events = jsonl(target.read_text())
    assert 50 <= len(events) <= 450  # 3 s at 100/s, and 50 sign-ups at once
    assert f"wrote {len(events):,}, no limit" in stderr
    saved = orjson.loads(people.read_bytes())
    buyers = {e["customer_id"] for e in events if e["event_type"] == "purchase"}
    assert all(p.get("orders") for p in saved if p["id"] in buyers)
