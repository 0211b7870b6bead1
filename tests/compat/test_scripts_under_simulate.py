"""An original tool's script run by `simulate --script`, its import changed:
its events go where the script sent them, and its sinks are closed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKER_EVENTS = """
from datagen.compat.faker_events import Event, EventGenerator

class Collector:
    def send(self, message):
        with open({out!r}, "a") as file:
            file.write(message["type"] + "\\n")

first = Event({{"type": "signed_up"}})
first >> Event({{"type": "left"}})
EventGenerator.set_first_events(first)
EventGenerator.set_stream(Collector())
"""

DOGE = """
from datagen.compat.doge_datagen import DataOnlineGenerator, EventSink, SubjectFactory

class User:
    pass

class Users(SubjectFactory):
    def create(self):
        return User()

class Buffered(EventSink):
    def __init__(self):
        self.kept = []

    def collect(self, timestamp, subject, transition):
        self.kept.append(transition.trigger)

    def close(self):  # what a Kafka or DB sink does: write what it holds
        with open({out!r}, "w") as file:
            file.write("\\n".join(self.kept))

sink = Buffered()
simulation = DataOnlineGenerator(["off", "on"], "off", Users(), 10, 60000, 50)
simulation.add_transition("login", "off", "on", 30, event_sinks=[sink])
simulation.add_transition("logout", "on", "off", 20, event_sinks=[sink])
"""


def simulate(script: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "generate.py"), "simulate"]
    return subprocess.run(
        [*command, "--script", str(script), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_a_faker_events_script_sends_to_its_own_stream(tmp_path: Path) -> None:
    out, script = tmp_path / "got.txt", tmp_path / "flows.py"
    script.write_text(FAKER_EVENTS.format(out=str(out)))
    done = simulate(script, "--actors", "3", "--seed", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # nothing on stdout: the script chose its stream
    assert sorted(out.read_text().split()) == ["left"] * 3 + ["signed_up"] * 3
    assert "to the script's stream (Collector)" in done.stderr
    # an output named on the command line wins
    again = simulate(script, "--actors", "3", "--seed", "1", "-o", "-")
    assert len(again.stdout.splitlines()) == 6
    assert len(out.read_text().split()) == 6


def test_a_doge_script_has_its_sinks_closed(tmp_path: Path) -> None:
    out, script = tmp_path / "kept.txt", tmp_path / "doge.py"
    script.write_text(DOGE.format(out=str(out)))
    done = simulate(script, "--ticks", "50", "--seed", "2", "-o", "-")
    assert done.returncode == 0, done.stderr
    events = done.stdout.splitlines()
    kept = out.read_text().split()
    assert events and len(kept) == len(events)
    assert set(kept) <= {"login", "logout"}


def test_a_script_failing_while_it_runs_is_one_line_naming_its_line(
    tmp_path: Path,
) -> None:
    script = tmp_path / "broken.py"
    script.write_text(
        DOGE.format(out=str(tmp_path / "x")).replace("return User()", "return 1 / 0")
    )
    for workers in ("1", "2"):
        done = simulate(script, "--ticks", "5", "--workers", workers)
        assert done.returncode == 1
        assert done.stderr.strip().splitlines() == [
            "Error: simulation 'state_machine' (broken.py line 9) failed: "
            "ZeroDivisionError: division by zero"
        ]
