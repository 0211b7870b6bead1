"""The original data-generator README's "Adding a New Document Provider" (and
journey provider) steps, done as written, in a copy of the provider folders.

Its steps: 1. a subclass of DocumentProvider in ./document_providers/
(`from document_providers.document_provider import DocumentProvider`);
2. "Modify ./document_providers/__init__.py to add your new provider to the
document_type_mapping and pass it the .name property of your new class as the
key"; 3. tests in ./tests/document_providers (this folder). The journey steps
are the same with `journey_provider_mapping`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from mimesis import Field

import datagen
import document_providers
import journey_providers
from datagen.documents import DOCUMENT_PROVIDERS, create_provider
from datagen.errors import ConfigError, RegistryError
from datagen.journeys import JOURNEY_PROVIDERS
from datagen.registry import Registry
from document_providers import document_provider_mapping, document_type_mapping
from document_providers.document_provider import DocumentProvider
from journey_providers import journey_provider_mapping
from journey_providers.journey_provider import JourneyProvider

ROOT = Path(__file__).resolve().parents[2]

#: Step 1, after the original README's StarfleetAccount (its imports, its
#: Mimesis fields).
INVOICE = """
from mimesis.schema import Field
from document_providers.document_provider import DocumentProvider


class Invoice(DocumentProvider):

    name = "invoice"

    def create_schema(self, _: Field) -> dict:

        invoice_schema = {
            "id": _("cryptographic.uuid"),
            "subspace_address": _("person.email"),
            "communicator": _("person.telephone", mask="07#########"),
            "surname": _("person.last_name"),
        }

        # Return Mimesis schema description of the document
        return invoice_schema
"""
#: Step 2: the provider added to document_type_mapping, its .name the key.
REGISTER_INVOICE = """
from document_providers.invoice import Invoice

document_type_mapping[Invoice.name] = Invoice
"""
#: The journey README's steps, after its StarfleetJourney snippet.
TREK = """
from document_providers.starfleet_account import StarfleetAccount
from journey_providers.journey_provider import JourneyProvider


class TrekJourney(JourneyProvider):

    name = "trek"

    def create_journey(self):

        # 1. User creates an account
        account_document = StarfleetAccount().generate()
        account_document["id"] = str(self.user_id)
        self.add_step(StarfleetAccount, account_document)

        # 2. Logs in a minute or two later
        login = self.document("starfleet_login", account_id=self.user_id)
        self.add_step(
            "starfleet_login", login, delay=[60, 120], delay_from_step_index=0
        )
"""
REGISTER_TREK = """
from journey_providers.trek import TrekJourney

journey_provider_mapping[TrekJourney.name] = TrekJourney
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of generate.py and the provider folders, as a user's checkout
    (datagen itself is imported from this repository)."""
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("document_providers", "journey_providers"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "generate.py", tmp_path / "generate.py")
    return tmp_path


def add(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text))


def generate(checkout: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """`python generate.py ...` run in the checkout: its folders come first
    on sys.path (the script's own folder), datagen after them."""
    result = subprocess.run(
        [sys.executable, "generate.py", *argv],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_document_provider_added_as_the_original_readme_says(checkout):
    (checkout / "document_providers" / "invoice.py").write_text(INVOICE)
    add(checkout / "document_providers" / "__init__.py", REGISTER_INVOICE)
    (checkout / "output" / "documents").mkdir(parents=True)

    # The original README's command, with its option names.
    result = generate(
        checkout,
        "document",
        "--output_path",
        "./output/documents",
        "--provider",
        "invoice",
        "--quantity",
        "3",
    )

    assert result.returncode == 0, result.stderr
    files = sorted((checkout / "output" / "documents").rglob("*.json"))
    assert len(files) == 3
    for file in files:
        document = json.loads(file.read_text())
        assert set(document) == {"id", "subspace_address", "communicator", "surname"}
        assert document["communicator"].startswith("07")
    listed = generate(checkout, "list").stdout
    assert "invoice" in listed and "BROKEN" not in listed
    assert "customer" in listed  # the built-ins are all still there


def test_a_journey_provider_added_as_the_original_readme_says(checkout):
    (checkout / "journey_providers" / "trek.py").write_text(TREK)
    add(checkout / "journey_providers" / "__init__.py", REGISTER_TREK)

    result = generate(checkout, "journey", "--provider", "trek", "--quantity", "2")

    assert result.returncode == 0, result.stderr
    metadata = sorted((checkout / "output" / "journeys").rglob("trek_*.json"))
    assert len(metadata) == 2
    steps = json.loads(metadata[0].read_text())["steps"]
    assert [step["document_type"] for step in steps] == [
        "starfleet_account",
        "starfleet_login",
    ]
    assert 60 <= steps[1]["delay_seconds"] <= 120


def test_a_bad_registration_is_one_line(checkout):
    (checkout / "document_providers" / "invoice.py").write_text(INVOICE)
    add(
        checkout / "document_providers" / "__init__.py",
        """
        from document_providers.invoice import Invoice

        document_type_mapping[Invoice.name] = "Invoice"
        """,
    )
    listed = generate(checkout, "list")
    assert listed.returncode == 0
    broken = [line for line in listed.stdout.splitlines() if "BROKEN" in line]
    assert broken and "document_providers/__init__.py" in broken[0]
    # Every module that imports the package (journey_providers/ecommerce.py
    # does) is broken by the same line, and says so.
    for line in broken:
        assert "'Invoice' is not a document provider class" in line
    # The package failed to import, so its built-ins are missing: one line
    # naming the broken file (as for a broken plugin: the run failed, exit 1)
    result = generate(checkout, "document", "-p", "starfleet_login", "-o", "-")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "document_providers/__init__.py" in result.stderr
    assert "failed to load" in result.stderr


def test_the_provider_tests_are_where_the_readme_says():
    """Step 3: ./tests/document_providers holds the document provider tests."""
    folder = ROOT / "tests" / "document_providers"
    assert {"test_starfleet.py", "test_ecommerce.py"} <= {
        path.name for path in folder.glob("test_*.py")
    }
    assert not (ROOT / "tests" / "providers").exists()


def test_the_original_imports_are_datagens_classes():
    assert DocumentProvider is datagen.DocumentProvider
    assert JourneyProvider is datagen.JourneyProvider
    assert document_type_mapping is DOCUMENT_PROVIDERS
    assert document_provider_mapping is DOCUMENT_PROVIDERS  # the code's name
    assert journey_provider_mapping is JOURNEY_PROVIDERS
    assert document_providers.document_type_mapping["customer"].name == "customer"
    assert "starfleet" in journey_providers.journey_provider_mapping


class Bill(DocumentProvider, abstract=True):
    """Not registered until assigned (abstract=True skips the definition's
    registration), as a class of the original tool was."""

    name = "bill"
    description = "A bill."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {"id": self.uuid()}


def test_assigning_registers_the_class(isolated_registries):
    assert "bill" not in document_type_mapping
    document_type_mapping["bill"] = Bill
    assert DOCUMENT_PROVIDERS.get("bill") is Bill
    assert "bill" in list(document_type_mapping)
    assert create_provider("bill", seed=1).generate()["id"]
    document_type_mapping["bill"] = Bill  # again: no change, no error
    assert document_type_mapping["bill"] is Bill


def test_assigning_a_journey_registers_it(isolated_registries):
    class Visit(JourneyProvider, abstract=True):
        def create_journey(self) -> None:
            self.add_step("customer", self.document("customer"))

    journey_provider_mapping["visit"] = Visit
    assert JOURNEY_PROVIDERS.get("visit") is Visit


class Trip(JourneyProvider, abstract=True):
    pass


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("bill", "Bill", "document provider 'bill': 'Bill' is not a document"),
        ("bill", 42, "document provider 'bill': 42 is not a document provider"),
        ("bill", Bill(), "is not a document provider class"),
        ("trip", Trip, "is not a document provider class"),
        ("base", DocumentProvider, "DocumentProvider is the base class"),
        (7, Bill, "a document provider's name must be text, not 7"),
        ("", Bill, "must be text, not ''"),
    ],
)
def test_a_bad_assignment_is_one_line(isolated_registries, name, value, message):
    with pytest.raises(ConfigError) as error:
        document_type_mapping[name] = value
    assert message in str(error.value) and "\n" not in str(error.value)
    assert name not in DOCUMENT_PROVIDERS


def test_assigning_a_taken_name_names_both(isolated_registries):
    with pytest.raises(RegistryError) as error:
        document_type_mapping["customer"] = Bill
    assert "document_providers.customer" in str(error.value)
    assert __name__ in str(error.value)


def test_a_broken_package_is_named_when_a_name_is_missing(tmp_path, monkeypatch):
    """A package __init__ that fails (a bad registration in it) is the reason
    a name is missing, not 'unknown'."""
    package = tmp_path / "broken_shelf"
    package.mkdir()
    (package / "__init__.py").write_text("raise ValueError('bad mapping line')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry: Registry[Any] = Registry(
        "shelf item", "datagen.tests.none", builtins=("broken_shelf",)
    )
    with pytest.raises(RegistryError) as error:
        registry.get("anything")
    assert "broken_shelf" in str(error.value)
    assert "ValueError: bad mapping line" in str(error.value)
