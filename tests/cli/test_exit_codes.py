"""The error edge: one rule for every command's exit code, option values checked
by their parameter types, and command modules that never import the group."""

from __future__ import annotations

import ast
from pathlib import Path
import pytest

import datagen.cli as cli_package
from datagen import SIMULATIONS
from datagen.cli import COMMANDS
from tests.processes import ROOT

#: (argv, exit code, a fragment of the one line on stderr)
RULE = [
    # bad input, any ConfigError: 2, whichever command
    (["document", "-p", "cart", "--workers", "0"], 2, "--workers must be at least 1"),
    (["simulate", "web", "--workers", "0"], 2, "--workers must be at least 1, not 0"),
    (["journey", "-p", "starfleet", "--workers", "x"], 2, "'x' is not a whole number"),
    (["upload", ".", "--workers", "0"], 2, "--workers must be at least 1, not 0"),
    (["document", "-p", "cart", "-q", "0"], 2, "quantity must be at least 1"),
    (["journey", "-p", "nope"], 2, "unknown journey provider 'nope' (available: "),
    (["simulate", "nope"], 2, "unknown simulation 'nope' (available: banking, "),
    (["simulate", "web", "--format", "xml"], 2, "unknown format 'xml' (available: "),
    (["simulate", "web", "--duration", "soon"], 2, "--duration: 'soon' is not a"),
    (["simulate", "web", "--live", "--rate", "x"], 2, "--rate: 'x' is not a rate"),
    (["document", "-p", "cart", "--sink", "carrier-pigeon:x"], 2, "unknown sink"),
    (["graph", "nope"], 2, "unknown simulation 'nope'"),
    # a run that failed: 1
    (["document", "-p", "exploding", "-o", "-"], 1, "provider 'exploding' failed"),
    (
        ["document", "-p", "cart", "-q", "5", "--sink"]
        + ["python:tests.cli.sink_fixtures:Failing?after=2"],
        1,
        "send() failed: ConnectionError: connection reset by peer",
    ),
]


@pytest.mark.parametrize("argv, code, fragment", RULE, ids=lambda v: str(v)[:40])
def test_the_exit_code_rule(invoke, isolated_registries, argv, code, fragment):
    from tests.cli.test_errors import _define_bad_providers

    with SIMULATIONS.isolated():  # loads first: the bad journeys are no simulations
        _define_bad_providers()
        result = invoke(*argv, ok=False)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_bad_values_are_one_line_without_usage(invoke):
    result = invoke("simulate", "web", "--format", "xml", ok=False)
    assert result.stderr == (
        "Error: unknown format 'xml' (available: csv, json, jsonl, parquet)\n"
    )


def test_a_sink_spec_error_hides_its_secrets(invoke):
    spec = "nosuch://admin:hunter2@db.example/x?token=s3cr3t&table=t"
    result = invoke("document", "-p", "cart", "--sink", spec, ok=False)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --sink 'nosuch://admin:***@db.example/")
    assert "unknown sink 'nosuch' (available: " in result.stderr
    assert "hunter2" not in result.output and "s3cr3t" not in result.output


@pytest.mark.parametrize(
    "command, shown",
    [
        ("document", "[json|jsonl|csv|parquet]"),
        ("simulate", "[jsonl|csv|json|parquet]"),
    ],
)
def test_help_lists_the_formats_errors_accept(invoke, command, shown):
    assert shown in invoke(command, "--help").stdout


def test_a_simulation_a_script_registers_can_be_named(invoke, tmp_path):
    script = tmp_path / "mine.py"
    script.write_text(
        "from datagen import Event, Flow, register_simulation\n\n\n"
        "@register_simulation('script_made', 'Made by a script')\n"
        "def script_made(**options):\n"
        "    return Flow(Event({'kind': 'tick'}, epm=1.0), name='script_made')\n"
    )
    result = invoke(
        "simulate", "script_made", "--script", script, "--count", 2, "--seed", 1
    )
    assert len(result.stdout.splitlines()) == 2


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    "module",
    sorted(
        p.name for p in (ROOT / "datagen" / "cli").glob("*.py") if p.stem != "__init__"
    ),
)
def test_no_cli_module_imports_the_group(module):
    """The group imports the commands; a command importing the group is a cycle."""
    assert "datagen.cli" not in _imports(ROOT / "datagen" / "cli" / module)


def test_the_group_lists_each_command_module_explicitly():
    source = (ROOT / "datagen" / "cli" / "__init__.py").read_text()
    assert "pkgutil" not in source and "import_module" not in source
    modules = {getattr(command.callback, "__module__", "") for command in COMMANDS}
    commands_in_files = {
        f"datagen.cli.{path.stem}"
        for path in (ROOT / "datagen" / "cli").glob("*.py")
        if "@click.command" in path.read_text()
    }
    assert modules == commands_in_files
    assert set(cli_package.cli.commands) == {c.name for c in COMMANDS}
