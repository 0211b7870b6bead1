"""`list`, `show`, `--help` and `--version`: what a user finds before generating."""

from __future__ import annotations

import json
import re

import pytest
from mimesis import Field

from datagen import DocumentProvider
from datagen.cli import cli
from datagen.documents import DOCUMENT_PROVIDERS
from datagen.encoders import flatten
from datagen.journeys import JOURNEY_PROVIDERS
from tests.document_providers import BUILT_IN_DOCUMENTS


def test_list_shows_every_provider_with_description_and_origin(invoke):
    output = invoke("list").stdout
    documents, journeys = output.split("journey providers:\n")
    assert documents.startswith("document providers:\n")
    for registry, section in (
        (DOCUMENT_PROVIDERS, documents),
        (JOURNEY_PROVIDERS, journeys),
    ):
        for name in registry:
            line = re.search(rf"^  {re.escape(name)} +(.+)  \[(.+)\]$", section, re.M)
            assert line, f"{name} missing from list:\n{section}"
            assert line[1].strip() == registry.get(name).description.strip()
            assert line[2] == registry.origin(name)
    assert BUILT_IN_DOCUMENTS <= set(DOCUMENT_PROVIDERS)
    assert {"starfleet", "ecommerce"} <= set(JOURNEY_PROVIDERS)


def test_every_built_in_provider_has_a_description():
    for registry in (DOCUMENT_PROVIDERS, JOURNEY_PROVIDERS):
        for name in registry:
            description = registry.get(name).description
            assert description and "\n" not in description, name


def test_list_shows_a_provider_defined_at_run_time(invoke, isolated_registries):
    class Ticket(DocumentProvider):
        name = "ticket"
        description = "A support ticket."

        def create_schema(self, _: Field) -> dict:
            return {"id": self.uuid()}

    assert re.search(
        r"^  ticket +A support ticket\.  \[tests\.cli\.", invoke("list").stdout, re.M
    )


def test_show_a_document_prints_it_and_its_fields(invoke):
    output = invoke("show", "starfleet_account").stdout
    example_text, fields_text = output.split("fields:\n")
    example = json.loads(example_text)
    assert set(example) >= {"id", "subspace_address", "federation_citizen_id"}
    assert example_text.startswith('{\n  "id": ')  # pretty-printed
    fields = dict(line.strip().split(": ") for line in fields_text.splitlines())
    assert fields == {key: type(v).__name__ for key, v in flatten(example).items()}
    assert fields["auth.logins"] == "list"


def test_show_a_journey_prints_it_and_its_steps(invoke):
    output = invoke("show", "ecommerce", "--seed", "3").stdout
    example_text, steps_text = output.split("steps:\n")
    example = json.loads(example_text)
    assert len(example["documents"]) == len(example["steps"])
    steps = steps_text.splitlines()
    assert [line.split(": ")[1].split(" ")[0] for line in steps] == [
        step["document_type"] for step in example["steps"]
    ]
    for line, step in zip(steps, example["steps"]):
        assert line.endswith(f"(+{step['offset_seconds']}s)")


def test_show_is_seeded(invoke):
    first = invoke("show", "customer", "--seed", "5").stdout
    assert invoke("show", "customer", "--seed", "5").stdout == first
    assert invoke("show", "customer", "--seed", "6").stdout != first


def test_help_lists_every_command(invoke):
    output = invoke("--help").stdout
    for command in ("document", "journey", "list", "show", "replay"):
        assert re.search(rf"^  {command} ", output, re.M), command


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example_and_kebab_options(invoke, command):
    output = invoke(command, "--help").stdout
    assert "Example:" in output and "python generate.py " in output
    summary = cli.commands[command].help.strip().split("\n\n")[0]
    assert summary.endswith("."), summary  # a sentence, then the details
    for option in re.findall(r"--[a-z][a-z0-9_-]*", output):
        if "_" in option:  # the original tool's spellings, kept beside kebab-case
            assert option.replace("_", "-") in output, option


def test_version(invoke):
    assert re.match(r"^datagen \d+\.\d+\.\d+", invoke("--version").stdout)
