"""Declared documents: classes from declarations, the YAML twins of the
Python providers, numbering whatever --workers, and top-level problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from datagen.declarative.documents import DeclaredDocument, declared_document
from datagen.declarative.problems import Problems, Source
from datagen.declarative.source import read_source
from datagen.documents import DOCUMENT_PROVIDERS, PROVIDER_POOL, create_provider
from datagen.errors import ProviderError
from tests.document_providers.formats import cents

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TWINS = {
    "starfleet_account.yaml": "starfleet_account",
    "order.yaml": "order",
    "customer.yaml": "customer",
}


def declared(text, file=None):
    problems = Problems()
    cls = declared_document(Source(file, yaml.safe_load(text)), problems)
    assert not problems, problems.lines()
    return cls


def problems_of(text):
    problems = Problems()
    assert declared_document(Source(None, yaml.safe_load(text)), problems) is None
    return [(problem.path, problem.message) for problem in problems]


def from_example(name):
    problems = Problems()
    cls = declared_document(read_source(EXAMPLES / name, problems), problems)
    assert not problems, problems.lines()
    return cls


def shape(value):
    """The keys, nesting and value types of a document."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted({json.dumps(shape(item), sort_keys=True) for item in value})
    return type(value).__name__


def test_a_declaration_is_an_unregistered_provider_class():
    cls = declared("provider: thing\ndescription: A thing.\nfields: {id: {gen: uuid}}")
    assert issubclass(cls, DeclaredDocument)
    assert cls.name == "thing" and cls.description == "A thing."
    assert "thing" not in DOCUMENT_PROVIDERS
    document = cls(seed=1).generate()
    assert set(document) == {"id"}


def test_the_examples_start_with_the_schema_comment():
    for name in [*TWINS, "signup_journey.yaml"]:
        first = (EXAMPLES / name).read_text().splitlines()[0]
        assert first == (
            "# yaml-language-server: $schema=../datagen/schemas/provider.schema.json"
        )


@pytest.mark.parametrize("example, python", sorted(TWINS.items()))
def test_twins_have_the_python_providers_keys_nesting_and_types(example, python):
    cls = from_example(example)
    assert cls.name == f"{python}_yaml"
    twin = cls(seed=5).generate_many(300)
    original = create_provider(python, seed=5).generate_many(300)
    assert [list(doc) for doc in twin[:1]] == [list(doc) for doc in original[:1]]
    twin_shapes = {json.dumps(shape(doc), sort_keys=True) for doc in twin}
    original_shapes = {json.dumps(shape(doc), sort_keys=True) for doc in original}
    assert twin_shapes == original_shapes


def test_the_order_twins_totals_add_up_to_the_cent():
    for order in from_example("order.yaml")(seed=2).generate_many(500):
        subtotal = sum(cents(item["line_total"]) for item in order["items"])
        for item in order["items"]:
            assert (
                cents(item["line_total"])
                == cents(item["unit_price"]) * item["quantity"]
            )
        assert cents(order["subtotal"]) == subtotal
        assert cents(order["tax"]) == subtotal * 20 // 100
        assert cents(order["shipping"]) == (0 if subtotal >= 5000 else 495)
        assert cents(order["subtotal"]) + cents(order["tax"]) + cents(
            order["shipping"]
        ) == cents(order["total"])


def test_a_seed_repeats_the_documents():
    cls = from_example("customer.yaml")
    assert cls(seed=9).generate_many(20) == cls(seed=9).generate_many(20)
    assert cls(seed=9).generate_many(20) != cls(seed=10).generate_many(20)
    provider = cls(seed=9)
    first = provider.generate_many(5)
    provider.reseed(9)
    assert provider.generate_many(5) == first


def test_the_declared_locale_is_used_unless_the_run_asks_for_another():
    cls = declared(
        "provider: de_thing\nlocale: de\nfields: {city: {gen: address.city}}"
    )
    assert cls().locale == "de" and cls(locale="en").locale == "de"
    assert cls(locale="fr").locale == "fr"


def test_sequence_numbers_follow_the_provider_index():
    cls = declared("provider: numbered\nfields: {n: {gen: sequence, start: 1}}")
    provider = cls(seed=1)
    assert [d["n"] for d in provider.generate_many(3)] == [1, 2, 3]
    assert provider.generate()["n"] == 4
    provider.index = 1000
    assert provider.generate()["n"] == 1001
    provider.reseed(1)
    assert provider.generate()["n"] == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_sequence_is_the_run_index_whatever_the_workers(invoke, tmp_path, workers):
    cls = declared(
        "provider: numbered_run\nfields: {n: {gen: sequence}, id: {gen: uuid}}"
    )
    target = tmp_path / "docs.jsonl"
    with DOCUMENT_PROVIDERS.isolated() as registry:
        registry.add(cls.name, cls, "test")
        invoke(
            *("document", "-p", cls.name, "-q", 2500, "--seed", 4),
            *("--format", "jsonl", "-o", target, "--quiet", "--workers", workers),
        )
    documents = [json.loads(line) for line in target.read_text().splitlines()]
    assert [document["n"] for document in documents] == list(range(1, 2501))


def test_a_run_time_failure_is_one_line_naming_provider_and_field():
    cls = declared("provider: broken\nfields: {a: 0, b: {gen: expr, value: '1 / a'}}")
    with pytest.raises(ProviderError) as caught:
        cls().generate()
    assert str(caught.value) == (
        "document provider 'broken': fields.b: expression '1 / a' failed: "
        "ZeroDivisionError: division by zero"
    )


def test_journeys_borrow_declared_documents_from_the_pool():
    cls = declared("provider: pooled\nfields: {n: {gen: sequence}}")
    with DOCUMENT_PROVIDERS.isolated() as registry:
        registry.add(cls.name, cls, "test")
        owner = object()
        first = PROVIDER_POOL.take("pooled", "en", 1, cls().now, owner, 0)
        assert first.generate()["n"] == 1
        again = PROVIDER_POOL.take("pooled", "en", 1, cls().now, object(), 1)
        assert again.generate()["n"] == 2


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        (
            "provider: x\nfields: {a: 1}\nfeilds: {}",
            ("feilds",),
            "unknown key 'feilds'",
        ),
        ("provider: x y\nfields: {a: 1}", ("provider",), "not a provider name"),
        ("provider: x/../y\nfields: {a: 1}", ("provider",), "not a provider name"),
        ("fields: {a: 1}", ("provider",), "is required"),
        ("provider: x\nlocale: xx\nfields: {a: 1}", ("locale",), "unknown locale 'xx'"),
        (
            "provider: x\nlocale: en-gbb\nfields: {a: 1}",
            ("locale",),
            "did you mean en-gb",
        ),
        ("provider: x", ("fields",), "is required"),
        ("provider: x\nfields: {}", ("fields",), "has no fields"),
        ("provider: x\nfields: [a]", ("fields",), "must be a mapping"),
        (
            "provider: x\ndescription: [a]\nfields: {a: 1}",
            ("description",),
            "must be text",
        ),
        ("provider: x\nkind: journey\nfields: {a: 1}", ("kind",), "must be 'document'"),
        (
            "provider: x\nfields: {a: {gen: integer, max: -1}}",
            ("fields", "a", "max"),
            "less than",
        ),
    ],
)
def test_top_level_problems(text, path, fragment):
    found = problems_of(text)
    assert any(where == path and fragment in message for where, message in found), found


def test_schema_key_is_ignored_and_all_problems_are_collected():
    declared('"$schema": x\nprovider: ok\nfields: {a: 1}')
    found = problems_of(
        "provider: 'a b'\nlocale: zz\nfields: {a: {gen: nope}}\nextra: 1"
    )
    assert {path for path, _ in found} == {
        ("extra",),
        ("provider",),
        ("locale",),
        ("fields", "a", "gen"),
    }


def test_the_file_stem_names_a_declaration_without_provider(tmp_path):
    cls = declared("fields: {a: 1}", file=tmp_path / "from_file.yaml")
    assert cls.name == "from_file"
