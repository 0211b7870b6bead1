"""A pip-installed plugin package adds providers without editing this repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator

import jsonschema
import pytest

from tests.plugins.installs import installed, pip
from tests.processes import ROOT, run_generate

DISTRIBUTION = "datagen-tiny-plugin"


@pytest.fixture(scope="module")
def tiny_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tiny plugin installed into this virtualenv for this module's tests,
    uninstalled after them."""
    with installed(tmp_path_factory.mktemp("plugin"), {"tiny_plugin": DISTRIBUTION}):
        yield


def test_the_entry_points_are_declared(tiny_plugin):
    code = (
        "from importlib.metadata import entry_points as e; "
        "print(sorted(p.value for g in ('datagen.document_providers', "
        "'datagen.journey_providers') for p in e(group=g)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "datagen_tiny_plugin:TinyInvoice" in result.stdout
    assert "datagen_tiny_plugin:TinyBilling" in result.stdout


def test_list_shows_the_plugins_providers(tiny_plugin):
    result = run_generate("list")
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"^  tiny_invoice +An invoice from the tiny test plugin\.  "
        r"\[plugin datagen_tiny_plugin:TinyInvoice\]$",
        result.stdout,
        re.M,
    ), result.stdout
    assert "[plugin datagen_tiny_plugin:TinyBilling]" in result.stdout
    assert "starfleet_account" in result.stdout  # the built-ins are still there


def test_the_plugins_document_provider_generates(tiny_plugin, tmp_path):
    argv = ["document", "-p", "tiny_invoice", "-q", 3, "--seed", 1]
    result = run_generate(*argv, "-o", "-")
    assert result.returncode == 0, result.stderr
    invoices = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(invoices) == 3
    assert all(re.match(r"^INV-\d{5}$", invoice["number"]) for invoice in invoices)
    assert run_generate(*argv, "-o", "-").stdout == result.stdout  # seeded

    folder = tmp_path / "invoices"
    assert run_generate(*argv, "-o", folder).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        f"tiny_invoice_{i:06d}.json" for i in range(3)
    ]


def test_the_plugins_journey_provider_publishes(tiny_plugin, tmp_path):
    folder = tmp_path / "journeys"
    result = run_generate(
        "journey", "--journey_provider", "tiny_billing", "-q", 2, "-o", folder
    )
    assert result.returncode == 0, result.stderr
    schema = json.loads(
        (ROOT / "datagen" / "schemas" / "journey_metadata.schema.json").read_text()
    )
    metadata_files = sorted(folder.glob("tiny_billing_*.json"))
    assert len(metadata_files) == 2
    for path in metadata_files:
        metadata = json.loads(path.read_text())
        jsonschema.validate(metadata, schema)
        assert [s["offset_seconds"] for s in metadata["steps"]] == [0, 86400]
        assert path.with_suffix(".zip").exists()


def test_uninstalling_removes_the_providers(tiny_plugin):
    removed = pip("uninstall", "-y", "-q", DISTRIBUTION)
    assert removed.returncode == 0, removed.stderr
    result = run_generate("document", "-p", "tiny_invoice", "-o", "-")
    assert result.returncode == 2
    assert "unknown document provider 'tiny_invoice'" in result.stderr
    assert "tiny_billing" not in run_generate("list").stdout
