"""compile_columns: a document's `fields:` as a ColumnsMaker, the fields it
cannot vectorise made per row by the row engine's makers and listed."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from mimesis import Field
from mimesis.enums import Gender

from datagen.declarative.columnar import BlockContext, ColumnsMaker, Fallback
from datagen.declarative.columnar import RowFallback, compile_columns
from datagen.declarative.fields import Context, compile_fields
from datagen.declarative.problems import Problems
from datagen.engine.columns.block import ColumnBlock, Leaf, to_arrow
from datagen.engine.columns.json_lines import json_lines
from datagen.engine.columns.primitives import integer_column
from datagen.engine.columns.values import is_plain_text

EXAMPLES = Path(__file__).parents[2] / "examples"


def compiled(fields: Mapping[str, Any], **options: Any) -> ColumnsMaker:
    problems = Problems()
    rows = compile_fields(fields, ("fields",), problems, "en", streams=True)
    assert not problems, problems.items
    return compile_columns(fields, "en", rows, **options)


def block_of(
    maker: ColumnsMaker, count: int, seed: int = 1, start: int = 0
) -> ColumnBlock:
    row = RowFallback(Context(Field(seed=seed), random.Random(seed)))
    return maker(BlockContext(seed, start, count, row=row))


def rows_of(block: ColumnBlock) -> list[dict[str, Any]]:
    columns = {key: to_arrow(column).to_pylist() for key, column in block.items()}
    return [{key: columns[key][i] for key in columns} for i in range(block.count)]


def test_the_starfleet_account_is_all_columns() -> None:
    fields = yaml.safe_load((EXAMPLES / "starfleet_account.yaml").read_text())["fields"]
    maker = compiled(fields)
    assert maker.fallbacks == ()
    assert maker.keys == tuple(fields)
    block = maker(BlockContext(seed=5, start=0, count=2000))  # no row context needed
    assert block.count == 2000 and list(block.fields) == list(fields)
    for row in rows_of(block)[:200]:
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", row["id"])
        assert "1935-01-02" <= row["stardate_of_birth"] <= "2007-01-01"
        assert re.fullmatch(r"07\d{9}", row["communicator"])
        assert row["auth"] == {"logins": []}
    for column in block.fields.values():
        if isinstance(column, Leaf) and column.plain:
            texts = [str(value) for value in column.values.to_pylist()]
            assert all(is_plain_text(text) for text in texts)


def test_an_expr_is_made_per_row_and_listed() -> None:
    fields = {
        "a": {"gen": "integer", "max": 100},
        "tags": {"gen": "list", "items": [0, 2], "of": "t"},
        "total": {"gen": "expr", "value": "a * 2 + len(tags)"},
        "after": {"gen": "template", "value": "{total}/{a}"},
    }
    maker = compiled(fields)
    assert maker.fallbacks == (Fallback("total", "expr is evaluated per row"),)
    block = block_of(maker, 500)
    for row in rows_of(block):
        assert row["total"] == row["a"] * 2 + len(row["tags"])
        assert row["after"] == f"{row['total']}/{row['a']}"
    total = block.fields["total"]
    assert isinstance(total, Leaf) and total.json is not None
    assert total.json.to_pylist() == [str(value) for value in total.values.to_pylist()]


def test_a_nested_expr_makes_its_whole_top_level_field_per_row() -> None:
    fields = {
        "id": {"gen": "uuid"},
        "items": {
            "gen": "list",
            "items": [1, 3],
            "of": {
                "price": {"gen": "float", "min": 1, "max": 9, "decimals": 2},
                "qty": {"gen": "integer", "min": 1, "max": 4},
                "total": {"gen": "expr", "value": "round(price * qty, 2)"},
            },
        },
        "count": {"gen": "expr", "value": "len(items)"},
        "first": {"ref": "items[0].total"},
    }
    maker = compiled(fields)
    assert maker.fallbacks == (
        Fallback("items", "items.of.total: expr is evaluated per row"),
        Fallback("count", "expr is evaluated per row"),
    )
    rows = rows_of(block_of(maker, 300))
    for row in rows:
        assert 1 <= len(row["items"]) <= 3 and row["count"] == len(row["items"])
        for item in row["items"]:
            assert item["total"] == round(item["price"] * item["qty"], 2)
        assert row["first"] == row["items"][0]["total"]


def test_per_row_fields_see_their_document_index() -> None:
    fields = {
        "o": {"n": {"gen": "sequence"}, "twice": {"gen": "expr", "value": "n * 2"}}
    }
    maker = compiled(fields)
    assert maker.fallbacks == (Fallback("o", "o.twice: expr is evaluated per row"),)
    rows = rows_of(block_of(maker, 20, start=40))
    assert [row["o"] for row in rows] == [
        {"n": 41 + i, "twice": 2 * (41 + i)} for i in range(20)
    ]


def test_per_row_fields_repeat_with_their_seed() -> None:
    fields = {"x": {"gen": "expr", "value": "randint(0, 10**9)"}, "y": {"gen": "uuid"}}
    maker = compiled(fields)
    one, two = rows_of(block_of(maker, 50)), rows_of(block_of(maker, 50))
    assert one == two
    assert rows_of(block_of(maker, 50, seed=2)) != one


def test_a_reference_to_another_stream_is_vectorised() -> None:
    maker = compiled({"id": {"gen": "uuid"}, "customer": {"ref": "customers.id"}})
    assert maker.fallbacks == ()


def test_a_block_with_fields_made_per_row_needs_the_row_context() -> None:
    maker = compiled({"x": {"gen": "expr", "value": "1"}})
    with pytest.raises(ValueError, match="RowFallback"):
        maker(BlockContext(1, 0, 10))


class StandIn:
    """Mimesis vectors for one method (what it was asked recorded)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any], str]] = []

    def __call__(self, name: str, kwargs: Mapping[str, Any], locale: str) -> Any:
        self.asked.append((name, dict(kwargs), locale))
        if name == "numeric.integer_number":
            low, high = kwargs.get("start", 0), kwargs.get("end", 10)
            return lambda rng, n: integer_column(rng, n, low, high)
        return f"{name}: no vectorised form"


def test_mimesis_methods_get_the_row_engines_arguments() -> None:
    vectors = StandIn()
    fields = {
        "n": {"gen": "numeric.integer_number", "start": 5, "end": 7},
        "name": {"gen": "person.full_name", "gender": "female"},
    }
    maker = compiled(fields, vectors=vectors)
    assert vectors.asked == [
        ("numeric.integer_number", {"start": 5, "end": 7}, "en"),
        ("person.full_name", {"gender": Gender.FEMALE}, "en"),
    ]
    assert maker.fallbacks == (
        Fallback("name", "person.full_name: no vectorised form"),
    )
    rows = rows_of(block_of(maker, 200))
    assert {row["n"] for row in rows} == {5, 6, 7}
    assert all(isinstance(row["name"], str) and " " in row["name"] for row in rows)


def test_values_arrow_cannot_type_keep_their_json() -> None:
    fields = {"x": {"gen": "expr", "value": "[1, 'a'] if randint(0, 1) else {'k': 1}"}}
    column = block_of(compiled(fields), 100).fields["x"]
    assert isinstance(column, Leaf) and column.json is not None
    read = [orjson.loads(text) for text in column.json.to_pylist()]
    assert {orjson.dumps(value) for value in read} == {b'[1,"a"]', b'{"k":1}'}
    assert column.values.equals(column.json)  # the text, where Arrow has no type


def test_a_block_of_every_kind_encodes_as_its_documents() -> None:
    """The Leaves' json and plain hold: the block encoder's lines are the
    lines of the block's documents."""
    fields = {
        "id": {"gen": "uuid"},
        "c": {"gen": "choice", "values": ["a,b", None, 'q"', "x"]},
        "w": {"gen": "choice", "weights": {"x": 1, "y\n": 2}},
        "i": {"gen": "integer", "max": 5, "null_rate": 0.2},
        "f": {"gen": "float", "decimals": 3},
        "b": {"gen": "boolean"},
        "d": {
            "gen": "date",
            "min": "2020-01-01",
            "max": "2020-12-31",
            "format": "%d, %b",
        },
        "t": {
            "gen": "timestamp",
            "min": "2020-01-01",
            "max": "2030-01-01",
            "step": 0.5,
        },
        "e": {
            "gen": "timestamp",
            "min": "2020-01-01",
            "max": "2021-01-01",
            "format": "epoch",
        },
        "s": {"gen": "sequence", "start": 0.5},
        "tp": {"gen": "template", "value": "{c}|{i}|{f}"},
        "o": {
            "a": {"ref": "c"},
            "l": {"gen": "list", "items": [0, 2], "of": {"ref": "w"}},
        },
        "r": {"ref": "o.l[1]"},
        "x": {"gen": "expr", "value": "{'z': f, 'c': c}"},
        "fixed": [{"gen": "integer", "max": 3}, {"gen": "sequence"}],
        "k": {"gen": "constant", "value": {"a": 1}, "null_rate": 0.5},
    }
    block = block_of(compiled(fields), 2000)
    lines = b"".join(
        orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE) for row in rows_of(block)
    )
    assert json_lines(block) == lines
