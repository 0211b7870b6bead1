"""The JSON Schema of declaration files: a valid draft 2020-12 schema that
accepts every example and rejects broken declarations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from datagen.cli.validate import SCHEMA, schema_problems

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml")) + sorted(
    (ROOT / "examples").rglob("*.json")
)


def test_the_schema_is_a_draft_2020_12_schema_with_help():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), name


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_valid(example):
    text = example.read_text()
    up = "../" * len(example.relative_to(ROOT).parts[:-1])
    assert f"$schema={up}datagen/schemas/provider.schema.json" in text
    assert schema_problems(yaml.safe_load(text)) == []


GOOD = {"provider": "x", "fields": {"id": {"gen": "uuid"}}}


@pytest.mark.parametrize(
    "data, path",
    [
        ({"fields": {}}, ("provider",)),
        ({**GOOD, "colour": 1}, ("colour",)),
        ({**GOOD, "kind": "jorney"}, ("kind",)),
        (
            {"provider": "x", "fields": {"a": {"gen": "integer", "maxx": 3}}},
            ("fields", "a", "maxx"),
        ),
        (
            {"provider": "x", "fields": {"a": {"gen": "integer", "max": "3"}}},
            ("fields", "a", "max"),
        ),
        ({"provider": "x", "fields": {"a": {"gen": "nope"}}}, ("fields", "a", "gen")),
        (
            {
                "provider": "x",
                "fields": {"a": {"b": [{"gen": "float", "decimals": -1}]}},
            },
            ("fields", "a", "b", 0, "decimals"),
        ),
        (
            {
                "provider": "x",
                "fields": {"a": {"gen": "list", "of": {"gen": "uuid", "x": 1}}},
            },
            ("fields", "a", "of", "x"),
        ),
        (
            {"provider": "x", "fields": {"a": {"gen": "person.email", "null_rate": 2}}},
            ("fields", "a", "null_rate"),
        ),
        (
            {"provider": "j", "kind": "journey", "steps": [{"doc": "a"}]},
            ("steps", 0, "doc"),
        ),
        (
            {
                "provider": "j",
                "kind": "journey",
                "steps": [{"document": "a", "delay": "x"}],
            },
            ("steps", 0, "delay"),
        ),
        ({"provider": "s", "kind": "simulation", "model": "flo"}, ("model",)),
        (
            {
                "provider": "s",
                "kind": "simulation",
                "model": "state_machine",
                "states": 3,
            },
            ("states",),
        ),
        (
            {"provider": "s", "kind": "simulation", "model": "flow", "transitions": []},
            ("transitions",),
        ),
        (
            {"provider": "s", "kind": "simulation", "model": "web", "pagez": {}},
            ("pagez",),
        ),
    ],
)
def test_broken_declarations_are_rejected_at_their_field(data, path):
    problems = schema_problems(data)
    assert problems and path in [found for found, _ in problems], problems


def test_a_mimesis_method_takes_its_own_arguments():
    data = {
        "provider": "x",
        "fields": {"p": {"gen": "person.telephone", "mask": "07#"}},
    }
    assert schema_problems(data) == []
