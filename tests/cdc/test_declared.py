"""`model: cdc` declarations: every problem at its path, in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.declarative.loader import declare

GOOD = """\
provider: {name}
kind: simulation
model: cdc
key: account_id
fields:
  account_id: {{gen: sequence, start: 1}}
  email: {{gen: person.email}}
  plan: {{gen: choice, values: [free, pro]}}
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cdc.yaml"
    path.write_text(text)
    return [problem.describe() for problem in declare(path).problems]  # no file:line


def test_a_good_declaration_builds_the_model(tmp_path: Path) -> None:
    path = tmp_path / "cdc.yaml"
    path.write_text(GOOD.format(name="accounts") + "envelope: debezium\n")
    declared = declare(path)
    assert not declared.problems
    model = declared.item()
    assert (model.key_field, model.time_field) == ("account_id", "ts_ms")
    assert model.changes.table == "accounts"
    assert model.needs_profiles is False


def test_every_problem_is_named_at_its_path(tmp_path: Path) -> None:
    text = """\
provider: bad_cdc
kind: simulation
model: cdc
envelope: xml
key: 3
fields:
  op: {gen: uuid}
  email: {gen: person.email}
changes:
  update_every: soon
  delete_after: null
  fields: [id, nope, []]
  colour: red
"""
    assert problems_of(tmp_path, text) == [
        "key: 3 is not a name (letters, digits and _)",
        "envelope: must be flat or debezium, not 'xml'",
        "fields.op: 'op' is a field every change event has",
        "changes.colour: unknown key 'colour'",
        "changes.update_every: 'soon' is not a positive length of time "
        "(e.g. 500ms, 90s, 1m, 1h, 2d)",
        "changes.fields[0]: 'id' is the key: an update never changes it",
        "changes.fields[1]: 'nope' is not one of the entity's fields",
        "changes.fields[2]: is an empty list",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", None),
        (
            "changes: {fields: plan}\n",
            "changes.fields: must be a list of fields (or lists of fields)",
        ),
        ("tick: 1s\n", "tick: unknown key 'tick'"),
    ],
)
def test_changes_settings(tmp_path: Path, extra: str, message: str | None) -> None:
    found = problems_of(tmp_path, GOOD.format(name="accounts") + extra)
    assert len(found) == (0 if message is None else 1)
    assert message is None or found[0].endswith(message), found


@pytest.mark.parametrize(
    ("faults", "declared"),
    [
        ("faults: null=0.01,duplicate=0.02\n", "null=0.01,duplicate=0.02"),
        ("faults: {late: 0.05}\n", "late=0.05"),
        ("", None),
    ],
)
def test_a_faults_section_is_the_models_declared_faults(
    tmp_path: Path, faults: str, declared: str | None
) -> None:
    path = tmp_path / "cdc.yaml"
    path.write_text(GOOD.format(name="accounts") + faults)
    found = declare(path)
    assert not found.problems
    assert getattr(found.item(), "declared_faults", None) == declared


def test_a_bad_faults_section_is_a_problem(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.format(name="a") + "faults: {late: 2}\n")
    assert len(found) == 1 and found[0].startswith("faults")
    assert "late=2" in found[0] and "0 to 1" in found[0]
