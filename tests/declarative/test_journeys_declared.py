"""Declared journeys: steps over declared or Python documents, delays,
placeholders that keep their type, and every problem at its path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from datagen.declarative.documents import declared_document
from datagen.declarative.journeys import DeclaredJourney, declared_journey
from datagen.declarative.problems import Problems, Source
from datagen.declarative.source import read_source
from datagen.documents import DOCUMENT_PROVIDERS
from datagen.errors import UnknownName
from datagen.journeys import JOURNEY_PROVIDERS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
J = "provider: j\nkind: journey\n"


def declared(text):
    problems = Problems()
    cls = declared_journey(Source(None, yaml.safe_load(text)), problems)
    assert not problems, problems.lines()
    return cls


def problems_of(text):
    problems = Problems()
    assert declared_journey(Source(None, yaml.safe_load(text)), problems) is None
    return [(problem.path, problem.message) for problem in problems]


def signup():
    problems = Problems()
    source = read_source(EXAMPLES / "signup_journey.yaml", problems)
    cls = declared_journey(source, problems)
    assert not problems, problems.lines()
    return cls


def test_the_signup_example_links_its_documents():
    cls = signup()
    assert issubclass(cls, DeclaredJourney) and cls.name == "signup_journey"
    assert "signup_journey" not in JOURNEY_PROVIDERS
    record = cls(seed=3).record()
    account, login, application, last = record["documents"]
    steps = record["steps"]
    assert account["id"] == record["user_id"]
    assert login["account_id"] == application["account_id"] == record["user_id"]
    assert last["account_id"] == account["id"]
    assert login["attempted_at"] == steps[1]["timestamp"]
    assert application["submitted_at"] == steps[2]["timestamp"]
    assert login["terminal"] == last["terminal"] and login["success"] is True
    assert steps[2]["delay_from_step_index"] == 1
    assert 60 <= steps[1]["delay_seconds"] <= 3600
    assert (
        steps[2]["offset_seconds"]
        == steps[1]["offset_seconds"] + steps[2]["delay_seconds"]
    )


def test_a_seed_repeats_the_journey():
    cls = signup()
    assert cls(seed=8).record() == cls(seed=8).record()
    assert cls(seed=8).record() != cls(seed=9).record()


def test_one_placeholder_alone_keeps_its_type_and_vars_are_drawn_once():
    cls = declared("""
        provider: typed
        kind: journey
        vars:
          n: {gen: integer, min: 5, max: 5}
          tag: {gen: choice, values: [a, b]}
        steps:
          - document: starfleet_login
            overrides:
              login_no: "{journey.n}"
              label: "no {journey.n}"
              started: "{journey.started_at}"
              tag: "{journey.tag}"
          - document: starfleet_login
            delay: [1, 1]
            overrides:
              previous: "{steps[0].login_no}"
              tag: "{journey.tag}"
              twice: {gen: expr, value: "steps[0]['login_no'] * 2"}
        """)
    journey = cls(seed=1)
    first, second = journey.record()["documents"]
    assert first["login_no"] == 5 and first["label"] == "no 5"
    assert first["started"] == journey.record()["started_at"]
    assert second["previous"] == 5 and second["twice"] == 10
    assert first["tag"] == second["tag"]


def test_declared_documents_are_found_at_run_time():
    problems = Problems()
    document = declared_document(
        Source(None, {"provider": "ping", "fields": {"n": {"gen": "sequence"}}}),
        problems,
    )
    journey = declared(
        "provider: pings\nkind: journey\nsteps: [{document: ping}, {document: ping}]"
    )
    with DOCUMENT_PROVIDERS.isolated() as registry:
        registry.add("ping", document, "test")
        documents = journey(seed=1).record()["documents"]
    assert [d["n"] for d in documents] == [1, 2]


def test_an_unknown_document_is_the_registrys_usual_error():
    journey = declared("provider: lost\nkind: journey\nsteps: [{document: nowhere}]")
    with pytest.raises(UnknownName, match="unknown document provider 'nowhere'"):
        journey(seed=1).record()


def test_through_the_cli(invoke, tmp_path):
    with JOURNEY_PROVIDERS.isolated() as registry:
        registry.add("signup_journey", signup(), "test")
        result = invoke(
            "journey", "-p", "signup_journey", "-q", 2, "-o", "-", "--seed", 1
        )
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(records) == 2
    assert all(len(record["documents"]) == 4 for record in records)


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("provider: j\nkind: journey", ("steps",), "is required"),
        (
            J + "steps: []",
            ("steps",),
            "must be a list of steps",
        ),
        (J + "steps: [x]", ("steps", 0), "must be a mapping"),
        (
            J + "steps: [{}]",
            ("steps", 0, "document"),
            "is required",
        ),
        (
            J + "steps: [{document: 'a b'}]",
            ("steps", 0, "document"),
            "not a name",
        ),
        (
            J + "steps: [{document: a, dealy: [1, 2]}]",
            ("steps", 0, "dealy"),
            "did you mean delay?",
        ),
        (
            J + "steps: [{document: a, delay: [5, 1]}]",
            ("steps", 0, "delay"),
            "0 <= lo <= hi",
        ),
        (
            J + "steps: [{document: a, delay: 5}]",
            ("steps", 0, "delay"),
            "[lo, hi]",
        ),
        (
            J + "steps: [{document: a, delay: [1.5, 2]}]",
            ("steps", 0, "delay"),
            "whole seconds",
        ),
        (
            J + "steps: [{document: a, delay_from_step_index: 0}]",
            ("steps", 0, "delay_from_step_index"),
            "no earlier step",
        ),
        (
            J + "steps: [{document: a}, {document: a, delay_from_step_index: 1}]",
            ("steps", 1, "delay_from_step_index"),
            "earlier step (0 to 0)",
        ),
        (
            J + "steps: [{document: a, overrides: {x: '{steps[0].id}'}}]",
            ("steps", 0, "overrides", "x"),
            "steps[0] is not an earlier step",
        ),
        (
            J + "steps: [{document: a, overrides: {x: '{journey.nope}'}}]",
            ("steps", 0, "overrides", "x"),
            "journey.nope is not known",
        ),
        (
            J + "steps: [{document: a, overrides: {x: '{user_id}'}}]",
            ("steps", 0, "overrides", "x"),
            "unknown field 'user_id'",
        ),
        (
            J + "steps: [{document: a, overrides: {x: {gen: integer, max: -1}}}]",
            ("steps", 0, "overrides", "x", "max"),
            "less than",
        ),
        (
            J + "steps: [{document: a, overrides: [1]}]",
            ("steps", 0, "overrides"),
            "must be a mapping",
        ),
        (
            J + "vars: {user_id: 1}\nsteps: [{document: a}]",
            ("vars", "user_id"),
            "the journey's own",
        ),
        (
            J + "vars: {a: {gen: nope}}\nsteps: [{document: a}]",
            ("vars", "a", "gen"),
            "unknown generator",
        ),
        (
            J + "step: []\nsteps: [{document: a}]",
            ("step",),
            "unknown key 'step'",
        ),
        (
            "provider: 'j k'\nkind: journey\nsteps: [{document: a}]",
            ("provider",),
            "not a provider name",
        ),
    ],
)
def test_problems_at_their_paths(text, path, fragment):
    found = problems_of(text)
    assert any(where == path and fragment in message for where, message in found), found
