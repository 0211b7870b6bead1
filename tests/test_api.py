"""What plugin authors import: `datagen.__all__` is complete and works, and the
`datagen` console command is declared."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
import types
from importlib.metadata import PackageNotFoundError, distribution, entry_points

import click
import pytest

import datagen
from tests.processes import ROOT


def _public_names() -> set[str]:
    """Names datagen/__init__.py defines or imports, other than modules."""
    return {
        name
        for name, value in vars(datagen).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # from __future__
    }


def test_all_lists_every_public_name():
    assert sorted(datagen.__all__) == sorted(_public_names())


def test_every_name_in_all_imports():
    namespace: dict[str, object] = {}
    exec("from datagen import *", namespace)
    assert set(datagen.__all__) <= set(namespace)


def test_a_plugin_author_needs_nothing_else():
    for name in (
        "DocumentProvider",
        "JourneyProvider",
        "Registry",
        "DOCUMENT_PROVIDERS",
        "JOURNEY_PROVIDERS",
        "ConfigError",
        "ProviderError",
        "UnknownName",
        "derive_seed",  # Seeder was deleted as dead code (issue 8)
        "Sink",
    ):
        assert name in datagen.__all__, name
    assert issubclass(datagen.UnknownName, datagen.ConfigError)
    assert issubclass(datagen.ConfigError, datagen.DatagenError)


def test_pyproject_declares_the_datagen_command():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    target = project["scripts"]["datagen"]
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Group)
    assert set(command.commands) >= {"document", "journey", "list", "show", "replay"}


def test_generate_py_is_a_thin_entry_point():
    source = (ROOT / "generate.py").read_text()
    code = [
        line
        for line in source.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", '"""'))
    ]
    assert code == [
        "from datagen.cli import cli",
        'if __name__ == "__main__":',
        "    cli()",
    ]


def _installed() -> bool:
    try:
        distribution("datagen")
    except PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _installed(), reason="the project is not pip-installed")
def test_the_installed_console_script_is_the_cli():
    (script,) = [
        ep for ep in entry_points(group="console_scripts") if ep.name == "datagen"
    ]
    assert script.load() is importlib.import_module("datagen.cli").cli


def test_a_fresh_interpreter_finds_the_built_ins_without_importing_them():
    """No `import document_providers` first: the registries load on first lookup."""
    code = (
        "import sys\n"
        "from datagen import create_provider\n"
        "import datagen\n"
        "assert 'document_providers.order' not in sys.modules\n"
        "order = create_provider('order', seed=1).generate()\n"
        "journey = datagen.create_journey_provider('starfleet', seed=1).generate()\n"
        "simulation = datagen.Simulation('web', actors=3, seed=1)\n"
        "events = list(simulation.run(duration='1h'))\n"
        "starfleet = datagen.Simulation('starfleet', actors=2)\n"
        "print(sorted(order)[:2], journey['journey'], simulation.name,\n"
        "      bool(events), starfleet.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['currency',",
        "'customer_id']",
        "starfleet",
        "web",
        "True",
        "starfleet",
    ]
