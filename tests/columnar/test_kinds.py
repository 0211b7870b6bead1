"""The declarative kinds made as columns: statistics and shapes over blocks
of 50,000 rows, formats that read back, and seeds that decide everything."""

from __future__ import annotations

import json
import time
import uuid as uuid_module
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest

from datagen.declarative.columnar import BlockContext, compile_columns
from datagen.declarative.fields import compile_fields
from datagen.declarative.kinds.reading import template_text
from datagen.declarative.problems import Problems
from datagen.engine.columns.block import ColumnBlock, Constant, Leaf, ListOf
from datagen.engine.columns.block import Obj, to_arrow
from datagen.engine.columns.draws import field_rng
from datagen.engine.columns.primitives import uuid_column
from datagen.engine.columns.times import VOCABULARY_LIMIT
from datagen.engine.columns.values import is_plain_text

N = 50_000


def make(
    fields: Mapping[str, Any], count: int = N, seed: int = 1, start: int = 0
) -> ColumnBlock:
    problems = Problems()
    rows = compile_fields(fields, ("fields",), problems, "en", streams=True)
    assert not problems, problems.items
    maker = compile_columns(fields, "en", rows)
    assert maker.fallbacks == ()
    return maker(BlockContext(seed, start, count))


def values(fields: Mapping[str, Any], key: str = "x", **options: Any) -> list[Any]:
    """The values of field key of a block of fields (Python values)."""
    return to_arrow(make(fields, **options).fields[key]).to_pylist()


def field(spec: Mapping[str, Any], **options: Any) -> list[Any]:
    return values({"x": spec}, **options)


def leaf(spec: Mapping[str, Any], count: int = 1000) -> Leaf:
    column = make({"x": spec}, count).fields["x"]
    assert isinstance(column, Leaf)
    return column


def check_plain(column: Leaf) -> None:
    """plain holds: no value's text needs escaping."""
    if column.plain:
        texts = [str(value) for value in column.values.to_pylist()]
        assert all(is_plain_text(text) for text in texts)


def check_json(column: Leaf) -> None:
    """json, when made, is each value's JSON text."""
    if column.json is not None:
        expected = [
            None if value is None else orjson.dumps(value).decode()
            for value in column.values.to_pylist()
        ]
        assert column.json.to_pylist() == expected


# uuid


def test_uuids_are_version_4_distinct_and_plain() -> None:
    column = leaf({"gen": "uuid"}, N)
    made = column.values.to_pylist()
    assert column.plain and column.values.type == pa.string()
    assert len(set(made)) == N
    for text in made[:2000]:
        parsed = uuid_module.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid_module.RFC_4122


def test_uuid_time_for_a_million_rows() -> None:
    rng = field_rng(1, "id")
    started = time.perf_counter()
    for _ in range(20):
        uuid_column(rng, 50_000)
    print(f"\nuuid: 1M rows in {time.perf_counter() - started:.3f} s")


# constant, choice


def test_constant_is_one_value() -> None:
    column = make({"x": {"gen": "constant", "value": {"a": [1]}}}, 10).fields["x"]
    assert column == Constant({"a": [1]}, 10)


def test_uniform_choice_draws_each_value_evenly() -> None:
    made = Counter(field({"gen": "choice", "values": ["a", "b", "c", "d"]}))
    assert set(made) == {"a", "b", "c", "d"}
    for count in made.values():
        assert abs(count / N - 0.25) < 0.015


def test_weighted_choice_follows_the_weights() -> None:
    made = Counter(field({"gen": "choice", "weights": {"g": 1, "s": 3, "b": 6}}))
    for value, share in {"g": 0.1, "s": 0.3, "b": 0.6}.items():
        assert abs(made[value] / N - share) < 0.02


def test_choice_of_mixed_values_keeps_each_value_and_its_json() -> None:
    choices = [1, "a,b", None, {"k": [1, 2]}, 2.5, True]
    column = leaf({"gen": "choice", "values": choices}, 3000)
    assert column.json is not None and not column.plain
    texts = column.json.to_pylist()
    expected = {orjson.dumps(value).decode() for value in choices if value is not None}
    assert set(texts) == expected | {None}
    # the values read back from their JSON text are the choices
    read = [None if text is None else orjson.loads(text) for text in texts]
    assert all(value in choices for value in read)


def test_choice_of_words_quotes_them_once() -> None:
    column = leaf({"gen": "choice", "values": ["x", 'say "hi"']})
    check_json(column)
    assert not column.plain
    plain = leaf({"gen": "choice", "values": ["x", "y z"]})
    assert plain.plain and plain.values.type == pa.string()


# integer, float, boolean


def test_integers_cover_min_to_max_inclusive() -> None:
    column = leaf({"gen": "integer", "min": -3, "max": 4}, N)
    made = column.values.to_pylist()
    assert column.values.type == pa.int64() and column.plain
    assert set(made) == set(range(-3, 5))


def test_integers_at_the_ends_of_int64() -> None:
    low, high = -(2**63), 2**63 - 1
    made = field({"gen": "integer", "min": low, "max": high}, count=100)
    assert all(low <= value <= high for value in made)
    assert len(set(made)) == 100


def test_floats_stay_in_bounds_and_round() -> None:
    made = field({"gen": "float", "min": -2, "max": 3})
    assert all(-2 <= value <= 3 for value in made)
    assert abs(np.mean(made) - 0.5) < 0.05
    rounded = leaf({"gen": "float", "min": 0, "max": 100, "decimals": 2}, N)
    assert rounded.values.type == pa.float64()
    assert all(round(value, 2) == value for value in rounded.values.to_pylist())
    assert all(
        len(repr(value).split(".")[1]) <= 2 for value in rounded.values.to_pylist()
    )


def test_booleans_are_true_with_the_probability() -> None:
    column = leaf({"gen": "boolean", "probability": 0.3}, N)
    assert column.values.type == pa.bool_()
    assert abs(sum(column.values.to_pylist()) / N - 0.3) < 0.01


def test_sequence_counts_the_run_index() -> None:
    made = field({"gen": "sequence", "start": 5, "step": 3}, count=10, start=100)
    assert made == [5 + 3 * (100 + i) for i in range(10)]
    halves = field({"gen": "sequence", "start": 0.5, "step": 0.25}, count=3, start=2)
    assert halves == [0.5 + 0.25 * 2, 0.5 + 0.25 * 3, 0.5 + 0.25 * 4]


# dates


def test_dates_hold_min_max_and_step() -> None:
    spec = {"gen": "date", "min": "2024-01-03", "max": "2024-03-01", "step": "7d"}
    column = leaf(spec, N)
    made = [date.fromisoformat(text) for text in column.values.to_pylist()]
    assert column.plain
    low = date(2024, 1, 3)
    assert min(made) == low and max(made) == date(2024, 2, 28)
    assert all((day - low).days % 7 == 0 for day in made)


#: (min, max): few dates (a vocabulary) and many (vectorised), from years
#: before 1000 (which Python writes unpadded) and after.
DATE_RANGES = [
    ("1935-01-02", "1999-12-31"),
    ("1935-01-02", "9999-12-31"),
    ("0990-01-01", "1200-01-01"),
    ("0990-01-01", "9999-12-31"),
]


@pytest.mark.parametrize("low, high", DATE_RANGES)
@pytest.mark.parametrize("fmt", [None, "%d/%m/%Y (%a %j)", "%d, %B %Y", "%-d %b"])
def test_date_text_is_pythons_whatever_the_range(
    low: str, high: str, fmt: str | None
) -> None:
    spec = {"gen": "date", "min": low, "max": high}
    if fmt:
        spec["format"] = fmt
    column = leaf(spec, 2000)
    check_plain(column)
    check_json(column)
    first = date.fromisoformat(low)
    days = (date.fromisoformat(high) - first).days
    picks = field_rng(1, "x").integers(0, days, endpoint=True, size=2000)
    expected = [_format(first + timedelta(days=int(k)), fmt) for k in picks]
    assert column.values.to_pylist() == expected


def _format(moment: date | datetime, fmt: str | None) -> str:
    return moment.isoformat() if fmt is None else moment.strftime(fmt)


def test_the_date_ranges_tested_fall_on_both_sides_of_the_vocabulary_limit() -> None:
    days = [
        (date.fromisoformat(high) - date.fromisoformat(low)).days
        for low, high in DATE_RANGES
    ]
    assert [day < VOCABULARY_LIMIT for day in days] == [True, False, True, False]


# timestamps

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _moments(spec: Mapping[str, Any], count: int) -> list[datetime]:
    """The moments the block draws, by the kind's rule."""
    low = datetime.fromisoformat(spec["min"].replace("Z", "+00:00"))
    high = datetime.fromisoformat(spec["max"].replace("Z", "+00:00"))
    step = timedelta(milliseconds=spec.get("step_ms", 1000))
    picks = field_rng(1, "x").integers(
        0, (high - low) // step, endpoint=True, size=count
    )
    return [low + step * int(k) for k in picks]


@pytest.mark.parametrize("high", ["2024-01-02T00:00:00Z", "2031-06-01T00:00:00Z"])
@pytest.mark.parametrize(
    "fmt",
    ["iso", "epoch", "epoch_ms", "%Y-%m-%d %H:%M:%S %Z", "%d/%m/%y %I%p", "%s|%f"],
)
@pytest.mark.parametrize("step", ["1s", 0.25, "1h"])
def test_timestamps_are_written_as_the_row_kind_writes_them(
    high: str, fmt: str, step: str | float
) -> None:
    step_ms = {"1s": 1000, 0.25: 250, "1h": 3_600_000}[step]
    spec = {"gen": "timestamp", "min": "2024-01-01T00:00:00Z", "max": high}
    column = leaf({**spec, "step": step, "format": fmt}, 1500)
    moments = _moments({**spec, "step_ms": step_ms}, 1500)
    whole = step_ms % 1000 == 0
    if fmt == "iso" and whole:
        expected: list[Any] = [m.isoformat().replace("+00:00", "Z") for m in moments]
    elif fmt == "iso":
        expected = [
            m.isoformat(timespec="milliseconds").replace("+00:00", "Z") for m in moments
        ]
    elif fmt == "epoch_ms":
        expected = [(m - _EPOCH) // timedelta(milliseconds=1) for m in moments]
    elif fmt == "epoch":
        ms = [(m - _EPOCH) // timedelta(milliseconds=1) for m in moments]
        expected = [v // 1000 if whole else v / 1000 for v in ms]
    else:
        expected = [m.strftime(fmt) for m in moments]
    assert column.values.to_pylist() == expected
    check_plain(column)
    check_json(column)


def test_timestamps_hold_min_max_and_step() -> None:
    spec = {
        "gen": "timestamp",
        "min": "2024-01-01T00:00:00Z",
        "max": "2024-01-01T06:00:00Z",
        "step": "15m",
        "format": "epoch",
    }
    made = field(spec)
    first = 1704067200
    assert min(made) == first and max(made) == first + 6 * 3600
    assert all((value - first) % 900 == 0 for value in made)


# null_rate


@pytest.mark.parametrize(
    "spec",
    [
        {"gen": "uuid"},
        {"gen": "integer", "max": 9},
        {"gen": "choice", "values": ["a", "b"]},
        {"gen": "constant", "value": 3},
        {"gen": "date", "min": "2020-01-01", "max": "2020-02-01"},
        {"gen": "list", "n": 2, "of": {"gen": "uuid"}},
    ],
)
def test_null_rate_makes_that_share_null(spec: dict[str, Any]) -> None:
    column = make({"x": {**spec, "null_rate": 0.2}}).fields["x"]
    made = to_arrow(column).to_pylist()
    assert abs(made.count(None) / N - 0.2) < 0.01
    if isinstance(column, Leaf):
        check_json(column)


# template, ref


def test_templates_join_their_parts() -> None:
    fields = {
        "a": {"gen": "integer", "max": 5},
        "b": {"gen": "choice", "values": ["x", None]},
        "c": {"gen": "boolean"},
        "d": {"gen": "float", "decimals": 1},
        "o": {"k": {"gen": "integer", "max": 2}, "s": "t"},
        "x": {"gen": "template", "value": "{a}-{b}/{c}:{d} {o} {o.k}{{}}"},
    }
    block = make(fields, 2000)
    rows = _rows(block)
    for row in rows:
        b = "null" if row["b"] is None else row["b"]
        o = json.dumps(row["o"])
        expected = (
            f"{row['a']}-{b}/{json.dumps(row['c'])}:{row['d']} {o} {row['o']['k']}{{}}"
        )
        assert row["x"] == expected
    column = block.fields["x"]
    assert isinstance(column, Leaf) and not column.plain  # '{"k": ...' has quotes


def test_a_template_of_plain_parts_is_plain() -> None:
    block = make(
        {"a": {"gen": "uuid"}, "x": {"gen": "template", "value": "id-{a}"}}, 50
    )
    column = block.fields["x"]
    assert isinstance(column, Leaf) and column.plain
    assert [r["x"] for r in _rows(block)] == [f"id-{r['a']}" for r in _rows(block)]


def test_a_template_of_constants_is_a_constant() -> None:
    block = make({"a": "k", "x": {"gen": "template", "value": "{a}!"}}, 5)
    assert block.fields["x"] == Constant("k!", 5)


def test_refs_read_fields_nested_paths_and_list_items() -> None:
    fields = {
        "o": {"p": {"q": {"gen": "uuid"}}, "c": {"k": [1, 2]}},
        "l": {
            "gen": "list",
            "items": [0, 3],
            "of": {"v": {"gen": "integer", "max": 99}},
        },
        "x": {"gen": "ref", "field": "o.p.q"},
        "y": {"ref": "l[1].v"},
        "z": {"ref": "o.c.k[1]"},
        "w": {"gen": "ref", "field": "o.p", "null_rate": 0.5},
    }
    rows = _rows(make(fields, 3000))
    for row in rows:
        assert row["x"] == row["o"]["p"]["q"]
        assert row["y"] == (row["l"][1]["v"] if len(row["l"]) > 1 else None)
        assert row["z"] == 2
        assert row["w"] in (None, row["o"]["p"])
    assert 0.45 < sum(row["w"] is None for row in rows) / len(rows) < 0.55


def test_items_read_the_fields_around_their_list() -> None:
    fields = {
        "id": {"gen": "uuid"},
        "n": {"gen": "sequence"},
        "items": {
            "gen": "list",
            "items": [1, 4],
            "of": {
                "owner": {"ref": "id"},
                "no": {"gen": "sequence", "start": 0},
                "tag": {"gen": "template", "value": "{id}/{n}"},
                "sku": {"gen": "integer", "max": 9},
                "inner": {"gen": "list", "n": 2, "of": {"gen": "ref", "field": "sku"}},
            },
        },
    }
    rows = _rows(make(fields, 500, start=10))
    for index, row in enumerate(rows):
        assert 1 <= len(row["items"]) <= 4
        for item in row["items"]:
            assert item["owner"] == row["id"]
            assert item["no"] == 10 + index
            assert item["tag"] == f"{row['id']}/{row['n']}"
            assert item["inner"] == [item["sku"], item["sku"]]


# lists, objects


def test_list_lengths_stay_in_range_and_n_is_exact() -> None:
    fields = {
        "x": {"gen": "list", "items": [2, 5], "of": {"gen": "integer", "max": 3}},
        "y": {"gen": "list", "n": 3, "of": {"gen": "uuid"}},
        "z": {"gen": "list", "items": [0, 0], "of": {"gen": "uuid"}},
    }
    block = make(fields, 5000)
    lengths = Counter(len(row["x"]) for row in _rows(block))
    assert set(lengths) == {2, 3, 4, 5}
    assert all(len(row["y"]) == 3 and row["z"] == [] for row in _rows(block))
    assert isinstance(block.fields["x"], ListOf)


def test_nested_objects_and_lists_of_fields() -> None:
    fields = {
        "x": {
            "a": {"gen": "integer", "max": 1},
            "b": {"c": {"gen": "boolean"}, "d": "k"},
        },
        "f": [{"gen": "integer", "max": 3}, {"gen": "integer", "min": 10, "max": 20}],
        "g": {"logins": []},
    }
    block = make(fields, 200)
    column = block.fields["x"]
    assert isinstance(column, Obj) and isinstance(column.fields["b"], Obj)
    assert block.fields["g"] == Constant({"logins": []}, 200)
    for row in _rows(block):
        assert set(row["x"]) == {"a", "b"} and row["x"]["b"]["d"] == "k"
        assert isinstance(row["x"]["b"]["c"], bool)
        assert 0 <= row["f"][0] <= 3 and 10 <= row["f"][1] <= 20


def test_a_list_of_mixed_fields_keeps_each_value() -> None:
    fields = {"x": [{"gen": "integer", "max": 3}, "k", {"gen": "boolean"}]}
    column = make(fields, 100).fields["x"]
    assert isinstance(column, ListOf) and isinstance(column.items, Leaf)
    texts = column.items.json
    assert texts is not None
    read = [orjson.loads(text) for text in texts.to_pylist()]
    assert all(isinstance(v, int) for v in read[0::3]) and set(read[1::3]) == {"k"}
    assert {type(v) for v in read[2::3]} == {bool}


# determinism

FIELDS = {
    "id": {"gen": "uuid"},
    "n": {"gen": "integer", "max": 1000, "null_rate": 0.1},
    "d": {"gen": "date", "min": "2000-01-01", "max": "2030-01-01"},
    "l": {"gen": "list", "items": [0, 3], "of": {"gen": "float"}},
}


def test_the_same_seed_gives_the_same_values() -> None:
    assert _rows(make(FIELDS, 500, seed=3)) == _rows(make(FIELDS, 500, seed=3))


def test_another_block_seed_gives_other_values() -> None:
    one, two = _rows(make(FIELDS, 500, seed=3)), _rows(make(FIELDS, 500, seed=4))
    for key in FIELDS:
        assert [row[key] for row in one] != [row[key] for row in two]


def test_adding_a_field_changes_no_other() -> None:
    more = {"first": {"gen": "uuid"}, **FIELDS, "n2": {"gen": "integer", "max": 9}}
    one, two = _rows(make(FIELDS, 500, seed=3)), _rows(make(more, 500, seed=3))
    for key in FIELDS:
        assert [row[key] for row in one] == [row[key] for row in two]


def _rows(block: ColumnBlock) -> list[dict[str, Any]]:
    columns = {key: to_arrow(column).to_pylist() for key, column in block.items()}
    return [{key: columns[key][i] for key in columns} for i in range(block.count)]


def test_a_template_reads_values_arrow_could_not_type_as_values() -> None:
    fields = {
        "c": {"gen": "choice", "values": [1, 'q"', None, {"k": [1]}]},
        "x": {"gen": "template", "value": "<{c}>"},
    }
    block = make(fields, 400)
    column = block.fields["c"]
    assert isinstance(column, Leaf) and column.json is not None
    chosen = [None if t is None else orjson.loads(t) for t in column.json.to_pylist()]
    texts = to_arrow(block.fields["x"]).to_pylist()
    assert texts == [f"<{template_text(value)}>" for value in chosen]
    assert set(texts) == {"<1>", '<q">', "<null>", '<{"k": [1]}>'}
