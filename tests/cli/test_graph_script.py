"""`graph` takes --script and --config like `simulate`, so a user's own state
machine (or a registered one with its configuration) can be drawn."""

from __future__ import annotations

from pathlib import Path

MACHINE = """
from datagen import StateMachine


def create(actor):
    return {"id": actor.id}


simulation = StateMachine(["asleep", "awake"], "asleep", create, 10, 60_000, None)
simulation.add_transition("wake", "asleep", "awake", 10)
simulation.add_transition("sleep", "awake", "asleep", 5)
"""

FLOW = """
from datagen import Event, Flow

simulation = Flow(Event({"kind": "tick"}, epm=1.0), name="ticks")
"""


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_scripts_state_machine_is_drawn(invoke, tmp_path):
    script = _script(tmp_path, "machine.py", MACHINE)
    picture = tmp_path / "machine.dot"
    result = invoke("graph", "--script", script, "-o", picture)
    text = picture.read_text()
    assert text.startswith('digraph "machine" {')
    assert '"asleep" -> "awake" [label="wake 10%"];' in text
    assert '"awake" -> "asleep" [label="sleep 5%"];' in text
    assert result.stderr == f"wrote {picture}\n"


def test_the_same_script_runs_under_simulate(invoke, tmp_path):
    script = _script(tmp_path, "machine.py", MACHINE)
    result = invoke("simulate", "--script", script, "--duration", "1h",
                    "--actors", 2, "--seed", 1)  # fmt: skip
    assert '"trigger":"wake"' in result.stdout


def test_a_script_without_a_graph_is_one_line(invoke, tmp_path):
    script = _script(tmp_path, "flow.py", FLOW)
    result = invoke("graph", "--script", script, "-o", tmp_path / "g.dot", ok=False)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "has no graph" in result.stderr


def test_neither_name_nor_script_is_one_line(invoke, tmp_path):
    result = invoke("graph", "-o", tmp_path / "g.dot", ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: give a simulation NAME (see `list`) or --script FILE\n"
    )


def test_config_changes_what_is_drawn(invoke, tmp_path):
    config = tmp_path / "web.yml"
    config.write_text("landing_pages:\n  home: 1.0\n")
    default, configured = tmp_path / "default.dot", tmp_path / "configured.dot"
    invoke("graph", "web", "-o", default)
    invoke("graph", "web", "--config", config, "-o", configured)
    assert '"__start__" -> "home" [label="60%"]' in default.read_text()
    assert '"__start__" -> "home" [label="100%"]' in configured.read_text()
