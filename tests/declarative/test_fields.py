"""compile_fields: every generator kind's output, every bad input a problem
at its exact field path, and a seed repeating the output."""

from __future__ import annotations

import random
import re
from datetime import datetime, timezone

import pytest
import yaml
from mimesis import Field
from mimesis.locales import Locale

from datagen.declarative.fields import Context, compile_fields
from datagen.declarative.problems import Problems
from datagen.errors import ProviderError

UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def context(seed=1, index=0, names=None):
    return Context(
        Field(Locale.EN, seed=seed),
        random.Random(seed),
        datetime(2025, 1, 1, tzinfo=timezone.utc),
        index,
        names or {},
    )


def maker(text, **options):
    problems = Problems()
    made = compile_fields(yaml.safe_load(text), ("fields",), problems, **options)
    assert not problems, problems.lines()
    return made


def documents(text, count=200, seed=1, **options):
    made = maker(text, **options)
    ctx = context(seed)
    return [made(ctx) for _ in range(count)]


def values(text, count=200, key="x"):
    return [document[key] for document in documents(text, count)]


def problems_of(text, **options):
    problems = Problems()
    compile_fields(yaml.safe_load(text), ("fields",), problems, **options)
    return [(problem.path, problem.message) for problem in problems]


def assert_problem(text, path, fragment):
    found = problems_of(text)
    assert any(where == path and fragment in message for where, message in found), found


# Good output, kind by kind.


def test_uuid():
    assert all(UUID.match(value) for value in values("x: {gen: uuid}"))


def test_mimesis_methods_with_their_arguments():
    phones = values('x: {gen: person.telephone, mask: "07###"}')
    assert all(re.fullmatch(r"07\d{3}", phone) for phone in phones)
    assert all("@" in value for value in values("x: {gen: person.email}"))
    names = values("x: {gen: person.first_name, gender: female}")
    assert all(isinstance(name, str) and name for name in names)


def test_constants_and_the_constant_generator():
    first, second = documents(
        "a: 1\nb: text\nc: null\nd: true\ne: {gen: constant, value: {k: [1]}}", 2
    )
    assert first == {"a": 1, "b": "text", "c": None, "d": True, "e": {"k": [1]}}
    first["e"]["k"].append(2)
    assert second["e"] == {"k": [1]}


def test_choice_uniform_and_weighted():
    assert set(values("x: {gen: choice, values: [a, b, c]}")) == {"a", "b", "c"}
    drawn = values("x: {gen: choice, weights: {gold: 1, silver: 3, bronze: 96}}", 2000)
    assert drawn.count("bronze") > drawn.count("silver") > drawn.count("gold")


def test_integer_float_boolean():
    assert set(values("x: {gen: integer, min: 1, max: 3}")) == {1, 2, 3}
    assert all(0 <= v <= 9 for v in values("x: {gen: integer, max: 9}"))
    floats = values("x: {gen: float, min: 1, max: 2, decimals: 2}")
    assert all(1 <= v <= 2 and round(v, 2) == v for v in floats)
    assert all(0 <= v <= 1 for v in values("x: {gen: float}"))
    assert set(values("x: {gen: boolean}")) == {True, False}
    assert set(values("x: {gen: boolean, probability: 1}")) == {True}


def test_dates():
    days = values("x: {gen: date, min: 2024-01-01, max: 2024-01-31, step: 7d}")
    assert set(days) <= {f"2024-01-{d:02d}" for d in (1, 8, 15, 22, 29)}
    assert len(set(days)) == 5
    formatted = values(
        'x: {gen: date, min: "2024-02-01", max: "2024-02-03", format: "%d/%m"}'
    )
    assert set(formatted) == {"01/02", "02/02", "03/02"}


def test_timestamps():
    iso = values(
        'x: {gen: timestamp, min: "2024-01-01T00:00:00Z",'
        ' max: "2024-01-01T01:00:00Z", step: 15m}'
    )
    assert set(iso) == {
        f"2024-01-01T{h:02d}:{m:02d}:00Z"
        for h, m in [(0, 0), (0, 15), (0, 30), (0, 45), (1, 0)]
    }
    epoch = values(
        'x: {gen: timestamp, min: "2024-01-01T00:00:00Z", max: "2024-01-02",'
        " format: epoch}"
    )
    assert all(isinstance(v, int) and 1704067200 <= v <= 1704153600 for v in epoch)
    millis = values(
        'x: {gen: timestamp, min: "2024-01-01", max: "2024-01-02", format: epoch_ms}'
    )
    assert all(1704067200000 <= v <= 1704153600000 for v in millis)
    text = values(
        'x: {gen: timestamp, min: "2024-01-01", max: "2024-01-01T00:00:05",'
        ' format: "%H:%M:%S"}'
    )
    assert set(text) <= {f"00:00:0{s}" for s in range(6)}


def test_sequence_counts_the_documents_index():
    made = maker("x: {gen: sequence, start: 100, step: 5}\ny: {gen: sequence}")
    ctx = context()
    got = []
    for index in (0, 1, 7):
        ctx.index = index
        got.append((made(ctx)["x"], made(ctx)["y"]))
    assert got == [(100, 1), (105, 2), (135, 8)]


def test_templates_refs_and_expressions_read_fields_above():
    [doc] = documents(
        """
        first: Ada
        address: {city: Oslo, label: {gen: template, value: "{city} ({first})"}}
        email: {gen: template, value: "{first}.{address.city}@x.org {{literal}}"}
        city: {gen: ref, field: address.city}
        n: 3
        twice: {gen: expr, value: "n * 2"}
        """,
        1,
    )
    assert doc["address"]["label"] == "Oslo (Ada)"
    assert doc["email"] == "Ada.Oslo@x.org {literal}"
    assert doc["city"] == "Oslo" and doc["twice"] == 6


def test_lists_and_lists_of_fields():
    docs = documents("""
        tags: {gen: list, items: [1, 3], of: {gen: choice, values: [a, b]}}
        pairs: {gen: list, n: 2, of: {p: {gen: integer, min: 1, max: 9}, q: 2,
                                      pq: {gen: expr, value: "p * q"}}}
        total: {gen: expr, value: "sum(i.pq for i in pairs)"}
        fixed: [1, {gen: integer, min: 5, max: 5}, {k: v}]
        empty: []
        """)
    assert {len(doc["tags"]) for doc in docs} == {1, 2, 3}
    for doc in docs:
        assert all(item["pq"] == item["p"] * 2 for item in doc["pairs"])
        assert doc["total"] == sum(item["pq"] for item in doc["pairs"])
        assert doc["fixed"] == [1, 5, {"k": "v"}] and doc["empty"] == []
    assert docs[0]["empty"] is not docs[1]["empty"]


def test_null_rate_on_any_generator():
    drawn = values("x: {gen: integer, max: 5, null_rate: 0.5}", 1000)
    assert 350 < drawn.count(None) < 650
    assert None not in values("x: {gen: person.email, null_rate: 0}")
    assert set(values("x: {gen: uuid, null_rate: 1}")) == {None}


def test_extra_names_and_placeholders_keep_the_type_alone():
    made = maker(
        """
        id: "{journey.user_id}"
        n: "{steps[0].n}"
        text: "n={steps[0].n}"
        plain: no placeholders
        """,
        names=("journey", "steps"),
        placeholders=True,
    )
    doc = made(context(names={"journey": {"user_id": "u1"}, "steps": [{"n": 4}]}))
    assert doc == {"id": "u1", "n": 4, "text": "n=4", "plain": "no placeholders"}


def test_a_missing_value_at_run_time_is_one_line_naming_the_field():
    made = maker('x: {gen: template, value: "{steps[3].id}"}', names=("steps",))
    with pytest.raises(ProviderError) as caught:
        made(context(names={"steps": []}))
    assert (
        str(caught.value)
        == "fields.x.value: 'steps[3].id' cannot be read (no such item)"
    )


def test_a_seed_repeats_the_output_and_another_changes_it():
    spec = """
    id: {gen: uuid}
    email: {gen: person.email}
    n: {gen: integer, max: 1000000}
    at: {gen: timestamp, min: "2024-01-01", max: "2025-01-01"}
    tags: {gen: list, items: [0, 5], of: {gen: text.word}}
    """
    assert documents(spec, 20, seed=3) == documents(spec, 20, seed=3)
    assert documents(spec, 20, seed=3) != documents(spec, 20, seed=4)


# Bad input: each a problem at its exact path.


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        ("age: {gen: integer, min: 5, max: 1}", ("age", "max"), "less than min 5"),
        ("age: {gen: integer, max: x}", ("age", "max"), "must be a whole number"),
        ("age: {gen: integer}", ("age", "max"), "is required"),
        (
            "age: {gen: integer, max: 3, maxx: 4}",
            ("age", "maxx"),
            "unknown key 'maxx' (did you mean max?)",
        ),
        ("age: {gen: integer, max: 1.5}", ("age", "max"), "whole number"),
        ("age: {gen: integer, max: true}", ("age", "max"), "whole number"),
        ("x: {gen: float, min: 2, max: 1}", ("x", "max"), "less than min"),
        ("x: {gen: float, decimals: -1}", ("x", "decimals"), "must be 0 to 15"),
        (
            "x: {gen: boolean, probability: 1.5}",
            ("x", "probability"),
            "between 0 and 1",
        ),
        ("x: {gen: uuid, null_rate: 2}", ("x", "null_rate"), "between 0 and 1"),
        ("x: {gen: uuid, null_rate: -0.1}", ("x", "null_rate"), "between 0 and 1"),
        ("x: {gen: choice, values: []}", ("x", "values"), "is empty"),
        ("x: {gen: choice, values: a}", ("x", "values"), "must be a list"),
        ("x: {gen: choice}", ("x",), "needs one of 'values' or 'weights'"),
        ("x: {gen: choice, weights: {a: 0}}", ("x", "weights", "a"), "positive number"),
        ("x: {gen: choice, weights: {a: x}}", ("x", "weights", "a"), "positive number"),
        ("x: {gen: choice, weights: {}}", ("x", "weights"), "is empty"),
        ("x: {gen: constant}", ("x", "value"), "is required"),
        (
            'x: {gen: date, min: "2024-02-30", max: 2024-03-01}',
            ("x", "min"),
            "not an ISO date",
        ),
        (
            "x: {gen: date, min: 2024-03-01, max: 2024-02-01}",
            ("x", "max"),
            "before min",
        ),
        (
            "x: {gen: date, min: 2024-01-01, max: 2024-02-01, step: 0d}",
            ("x", "step"),
            "longer than zero",
        ),
        (
            "x: {gen: date, min: 2024-01-01, max: 2024-02-01, step: 12h}",
            ("x", "step"),
            "whole days",
        ),
        (
            "x: {gen: date, min: 2024-01-01, max: 2024-02-01, step: -1}",
            ("x", "step"),
            "must be positive",
        ),
        (
            "x: {gen: date, min: 2024-01-01, max: 2024-02-01, step: soon}",
            ("x", "step"),
            "not a duration",
        ),
        (
            "x: {gen: date, min: 2024-01-01, max: 2024-02-01, format: 5}",
            ("x", "format"),
            "strftime",
        ),
        (
            'x: {gen: timestamp, min: yesterday, max: "2024-01-01"}',
            ("x", "min"),
            "not an ISO date-time",
        ),
        ('x: {gen: timestamp, min: "2024-01-01"}', ("x", "max"), "is required"),
        (
            'x: {gen: timestamp, min: "2024-01-01", max: "2024-01-02", format: unix}',
            ("x", "format"),
            "iso, epoch, epoch_ms or strftime",
        ),
        ("x: {gen: sequence, step: 0}", ("x", "step"), "must not be 0"),
        ("x: {gen: sequence, start: a}", ("x", "start"), "must be a number"),
        ("x: {gen: template}", ("x", "value"), "is required"),
        ("x: {gen: template, value: 3}", ("x", "value"), "must be text"),
        ('x: {gen: template, value: "{nope}"}', ("x", "value"), "unknown field 'nope'"),
        ('a: 1\nx: {gen: template, value: "{a} {"}', ("x", "value"), "a lone '{'"),
        (
            'a: {b: 1}\nx: {gen: template, value: "{a.c}"}',
            ("x", "value"),
            "'a' has no field 'c'",
        ),
        (
            'x: {gen: template, value: "{later}"}\nlater: 1',
            ("x", "value"),
            "unknown field 'later'",
        ),
        ("x: {gen: ref}", ("x", "field"), "is required"),
        ("x: {gen: ref, field: nowhere}", ("x", "field"), "unknown field 'nowhere'"),
        ("x: {gen: ref, field: 'a b'}", ("x", "field"), "not a field name or path"),
        ("x: {gen: expr, value: '1 +'}", ("x", "value"), "not a valid expression"),
        ("x: {gen: expr, value: 'y * 2'}", ("x", "value"), "unknown name 'y'"),
        (
            "x: {gen: expr, value: '().__class__'}",
            ("x", "value"),
            "names starting with '_'",
        ),
        ("x: {gen: expr}", ("x", "value"), "is required"),
        ("x: {gen: list, of: 1}", ("x",), "needs one of 'items'"),
        ("x: {gen: list, n: 2}", ("x", "of"), "is required"),
        ("x: {gen: list, items: [3, 1], of: 1}", ("x", "items"), "less than min"),
        ("x: {gen: list, items: [1], of: 1}", ("x", "items"), "must be [lo, hi]"),
        ("x: {gen: list, n: -1, of: 1}", ("x", "n"), "must be 0 to"),
        (
            "x: {gen: list, n: 2, of: {gen: integer, min: 3, max: 1}}",
            ("x", "of", "max"),
            "less than min",
        ),
        ("x: {gen: wat}", ("x", "gen"), "unknown generator 'wat'"),
        ("x: {gen: intger}", ("x", "gen"), "did you mean integer?"),
        ("x: {gen: email}", ("x", "gen"), "person.email"),
        ("x: {gen: 5}", ("x", "gen"), "must be a generator's name"),
        (
            "x: {gen: person.emial}",
            ("x", "gen"),
            "has no method 'emial' (did you mean email?)",
        ),
        (
            "x: {gen: persn.email}",
            ("x", "gen"),
            "unknown Mimesis provider 'persn' (did you mean person?)",
        ),
        ("x: {gen: person.email, domain: x}", ("x", "domain"), "unknown key 'domain'"),
        (
            "x: {gen: person.full_name, gender: alien}",
            ("x", "gender"),
            "not one of male, female",
        ),
        ("x: {gen: person.telephone, mask: 5}", ("x",), "person.telephone fails"),
        (
            "a: {b: {c: {gen: integer, max: -1}}}",
            ("a", "b", "c", "max"),
            "less than min",
        ),
        ("a: [1, {gen: uuid, x: 1}]", ("a", 1, "x"), "unknown key 'x'"),
        ("1: {gen: uuid}", ("1",), "a field name must be text"),
    ],
)
def test_bad_input_is_a_problem_at_its_path(text, path, fragment):
    assert_problem(text, ("fields", *path), fragment)


def test_every_problem_is_found_not_only_the_first():
    found = problems_of("""
        a: {gen: integer, min: 5, max: 1}
        b: {gen: choice, values: []}
        c: {gen: nope}
        d: {gen: expr, value: "1 +"}
        """)
    assert [path[1] for path, _ in found] == ["a", "b", "c", "d"]


def test_not_a_mapping():
    problems = Problems()
    made = compile_fields(["a"], ("fields",), problems)
    assert problems.lines() == [
        "fields: must be a mapping of field names to fields, not a list"
    ]
    assert made(context()) == {}


def test_lists_inside_lists_are_bounded_by_the_items_they_make_together():
    assert_problem(
        "x: {gen: list, items: [1000, 1000], of: {gen: list, n: 1000, of: 1}}",
        ("fields", "x", "of", "n"),
        "up to 1,000,000 items a document",
    )
    nested = values("x: {gen: list, items: [1, 3], of: {gen: list, n: 2, of: 7}}", 20)
    assert all(
        1 <= len(outer) <= 3 and all(i == [7, 7] for i in outer) for outer in nested
    )
