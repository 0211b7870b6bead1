"""A broken plugin or built-in module is one line; everything else keeps working."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugins.installs import installed
from tests.processes import ROOT, run_generate

BROKEN = (
    "plugin 'datagen_broken_plugin:Thing' (datagen.document_providers) "
    "failed to load: ModuleNotFoundError: No module named 'nope'"
)


@pytest.fixture(scope="module")
def broken_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The broken plugin and the tiny (working) one, installed side by side."""
    plugins = {
        "broken_plugin": "datagen-broken-plugin",
        "tiny_plugin": "datagen-tiny-plugin",
    }
    with installed(tmp_path_factory.mktemp("plugins"), plugins):
        yield


def test_list_shows_the_broken_plugin_and_everything_else(broken_plugin):
    result = run_generate("list")
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"^  bad_plugin +BROKEN: ModuleNotFoundError: No module named 'nope'  "
        r"\[plugin datagen_broken_plugin:Thing\]$",
        result.stdout,
        re.M,
    ), result.stdout
    # the other plugin (found after or before it) and the built-ins still load
    assert "[plugin datagen_tiny_plugin:TinyInvoice]" in result.stdout
    assert "tiny_billing" in result.stdout and "starfleet_account" in result.stdout
    assert "web " in result.stdout and result.stderr == ""


def test_the_broken_name_fails_in_one_line(broken_plugin):
    result = run_generate("document", "-p", "bad_plugin", "-o", "-")
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {BROKEN}"
    assert result.stdout == ""


def test_other_providers_and_commands_keep_working(broken_plugin):
    argv = ["document", "-p", "tiny_invoice", "-q", 2, "--seed", 1, "-o", "-"]
    result = run_generate(*argv)
    assert result.returncode == 0, result.stderr
    assert len([json.loads(line) for line in result.stdout.splitlines()]) == 2
    result = run_generate("simulate", "starfleet", "--actors", 2, "--count", 3)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    result = run_generate("document", "-p", "nope")
    assert result.returncode == 2 and "'bad_plugin'" not in result.stderr
    assert "unknown document provider 'nope'" in result.stderr


def run_copy(project: Path, *argv: object) -> subprocess.CompletedProcess[str]:
    """`python generate.py ...` of the project copy, which imports only itself."""
    return subprocess.run(
        [sys.executable, str(project / "generate.py"), *map(str, argv)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(project)},
    )


@pytest.fixture
def broken_builtin(tmp_path: Path) -> Path:
    """A copy of the project with a syntax error in one built-in document
    provider and a failing import in one built-in simulation."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("datagen", "document_providers", "journey_providers"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy2(ROOT / "generate.py", copy / "generate.py")
    (copy / "document_providers" / "broken_doc.py").write_text(
        '"""Half-written."""\n\n\ndef create_schema(:\n'
    )
    (copy / "datagen" / "engine" / "simulations" / "broken_sim.py").write_text(
        "import datagen.engine.no_such_module\n"
    )
    return copy


def test_a_broken_builtin_module_is_named_and_the_rest_works(broken_builtin):
    listing = run_copy(broken_builtin, "list")
    assert listing.returncode == 0, listing.stderr
    doc_file = broken_builtin / "document_providers" / "broken_doc.py"
    line = next(line for line in listing.stdout.splitlines() if "broken_doc" in line)
    assert re.match(r"^  broken_doc +BROKEN: SyntaxError: ", line), line
    assert line.endswith(f"[module document_providers.broken_doc ({doc_file})]")
    assert re.search(
        r"^  broken_sim +BROKEN: ModuleNotFoundError: No module named "
        r"'datagen.engine.no_such_module'  \[module "
        r"datagen.engine.simulations.broken_sim \(.*broken_sim.py\)\]$",
        listing.stdout,
        re.M,
    ), listing.stdout
    assert "starfleet_account" in listing.stdout and "customers" in listing.stdout

    failed = run_copy(broken_builtin, "document", "-p", "broken_doc")
    assert failed.returncode == 1
    assert failed.stderr.startswith(
        "Error: document provider module document_providers.broken_doc "
        f"({doc_file}) failed to load: SyntaxError: "
    )
    assert len(failed.stderr.splitlines()) == 1

    works = run_copy(broken_builtin, "document", "-p", "cart", "-q", 2, "-o", "-")
    assert works.returncode == 0, works.stderr
    assert len(works.stdout.splitlines()) == 2
