"""Declared references: `{ref: stream.field}` (or `gen: ref`) to another
stream beside the old `ref` to a field of the same document, their problems
at their field paths, and a document file's `faults:` section."""

from __future__ import annotations

import pytest
import yaml

from datagen.declarative.fields import compile_fields
from datagen.declarative.problems import Problems, Source
from datagen.declarative.documents import declared_document
from datagen.errors import ConfigError
from datagen.references import Reference, Skew
from tests.references.conftest import declare


def problems_of(text: str, streams: bool = True) -> list[tuple[tuple, str]]:
    problems = Problems()
    compile_fields(yaml.safe_load(text), (), problems, streams=streams)
    return [(problem.path, problem.message) for problem in problems]


def test_both_spellings_reference_another_stream():
    cls = declare("""
provider: orders
fields:
  id: {gen: uuid}
  customer_id: {ref: customers.id, zipf: 1.1}
  email: {gen: ref, field: customers.email}
  address: {city: {ref: customers.address.city, skew: 80/20}}
""")
    assert cls.stream_references() == (
        Reference("customer_id", "customers", "id", Skew(zipf=1.1)),
        Reference("email", "customers", "email"),
        Reference(
            "address.city",
            "customers",
            "address.city",
            Skew(buckets=((0.2, 0.8), (0.8, pytest.approx(0.2)))),
        ),
    )
    # the class attribute names the top-level fields only
    assert cls.references == {"customer_id": "customers.id", "email": "customers.email"}


def test_a_ref_to_a_field_of_the_document_keeps_its_meaning():
    cls = declare("""
provider: same_document
fields:
  address: {city: Oslo}
  city: {gen: ref, field: address.city}
  again: {ref: city}
  not_a_ref: {ref: city, note: 1}
""")
    assert cls.stream_references() == ()
    assert cls().generate() == {
        "address": {"city": "Oslo"},
        "city": "Oslo",
        "again": "Oslo",
        "not_a_ref": {"ref": "city", "note": 1},
    }


def test_without_its_parent_stream_a_document_says_what_to_run():
    cls = declare("provider: lonely\nfields: {c: {ref: customers.id}}")
    with pytest.raises(ConfigError, match="customers is not made in this run"):
        cls().generate()


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("a: 1\nx: {gen: ref, field: a, zipf: 1.1}", ("x", "zipf"), "another stream"),
        ("x: {ref: c.id, zipf: 0}", ("x", "zipf"), "above 0"),
        ("x: {ref: c.id, skew: 20/80/1}", ("x", "skew"), "like 80/20"),
        ("x: {ref: c.id, zipf: 1, skew: 80/20}", ("x", "skew"), "give one of"),
        ("x: {ref: c.id, records_per: [5, 1]}", ("x", "records_per"), "lo <= hi"),
        (
            "x: {ref: c.id, records_per: [1, 2], zipf: 1}",
            ("x", "records_per"),
            "drop zipf",
        ),
        (
            "o: {x: {ref: c.id, records_per: [1, 2]}}",
            ("o", "x", "records_per"),
            "top-level field",
        ),
        (
            "x: {ref: c.id, records_per: [1, 2]}\ny: {ref: d.id, records_per: [1, 2]}",
            (),
            "records_per on x and y",
        ),
    ],
)
def test_problems_are_at_their_keys(text, path, fragment):
    found = problems_of(text)
    assert any(p == path and fragment in m for p, m in found), found


def test_journeys_and_simulations_read_no_other_stream():
    assert problems_of("x: {gen: ref, field: customers.id}", streams=False) == [
        (
            ("x", "field"),
            "unknown field 'customers' (only fields above it and "
            "no other names can be read)",
        )
    ]


@pytest.mark.parametrize(
    "faults, expected",
    [
        ("duplicate=0.02, null=1%", "null=0.01,duplicate=0.02"),
        ({"null": 0.01, "late": 0.5, "lag": "5m"}, "null=0.01,late=0.5,lag=5m"),
    ],
)
def test_a_faults_section_is_kept_as_faults_text(faults, expected):
    data = {"provider": "faulty", "faults": faults, "fields": {"id": {"gen": "uuid"}}}
    cls = declared_document(Source(None, data), Problems())
    assert cls is not None and cls.declared_faults == expected


@pytest.mark.parametrize(
    "faults, message",
    [
        ({"null": 2}, "'null=2': a rate is a fraction from 0 to 1"),
        ("nul=0.1", "'nul=0.1': unknown fault kind 'nul'"),
        ({"null": 0.6, "late": 0.6}, "the rates add up to 1.2"),
        (5, "must be text (null=0.01,...) or kind: rate, not 5"),
        ("", "is empty"),
    ],
)
def test_a_bad_faults_section_is_a_problem(faults, message):
    data = {"provider": "faulty", "faults": faults, "fields": {"id": {"gen": "uuid"}}}
    problems = Problems()
    assert declared_document(Source(None, data), problems) is None
    [problem] = problems
    assert problem.path == ("faults",) and problem.message.startswith(message)


def test_validate_names_a_backwards_records_per(invoke, tmp_path):
    file = tmp_path / "backwards_payments.yaml"
    file.write_text("fields:\n  c: {ref: customers.id, records_per: [5, 1]}\n")
    result = invoke("validate", file, ok=False)
    assert f"{file}:2: fields.c.records_per: [5, 1]: needs 0 <= lo <= hi" in (
        result.stdout + result.stderr
    )
