"""The block encoders write, byte for byte, what the row engine's encoders
write for the same documents; the Arrow table holds the same documents."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datagen.encoders import CsvEncoder, JsonLinesEncoder, flatten
from datagen.engine.columns.block import Column, ColumnBlock, Constant, Leaf, ListOf
from datagen.engine.columns.block import Obj
from datagen.engine.columns.csv_rows import csv_columns, csv_rows
from datagen.engine.columns.documents import documents
from datagen.engine.columns.json_lines import json_lines
from datagen.engine.columns.tables import arrow_table
from datagen.engine.columns.texts import fixed_width, from_buffers, string_buffers
from datagen.engine.columns.values import holds_json_text, is_plain, is_plain_text
from datagen.engine.columns.values import python_leaf
from datagen.errors import ConfigError
from tests.columnar.strategies import blocks

many = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@many
@given(blocks())
def test_json_lines_are_the_row_encoders_bytes(block: ColumnBlock) -> None:
    assert json_lines(block) == JsonLinesEncoder().encode_many(documents(block))


@many
@given(blocks(min_count=1))
def test_csv_columns_are_the_first_documents_flattened(block: ColumnBlock) -> None:
    assert csv_columns(block) == list(flatten(documents(block)[0]))


@many
@given(st.data())
def test_csv_rows_are_the_row_encoders_bytes_or_its_refusal(
    data: st.DataObject,
) -> None:
    block = data.draw(blocks())
    docs = documents(block)
    if block.count and data.draw(st.booleans()):
        columns = csv_columns(block)
    else:  # any keys and their objects' names: fields missing, extra, null objects
        names = {name for doc in docs for name in flatten(doc)}
        names |= {name.rsplit(".", 1)[0] for name in names}
        pick = st.sampled_from(sorted(names | {"zz", "a.zz"}))
        columns = data.draw(st.lists(pick, max_size=4))
    assert _outcome(lambda: csv_rows(block, columns)) == _outcome(
        lambda: CsvEncoder(columns).encode_many(docs)
    )


@many
@given(blocks(arrow=True))
def test_arrow_table_holds_the_documents_and_writes_parquet(block: ColumnBlock) -> None:
    table = arrow_table(block)
    assert table.num_rows == block.count
    assert table.column_names == list(block.fields)
    # repr tells 1 from 1.0 and True, and shows NaN as NaN
    assert repr(table.to_pylist()) == repr(documents(block))
    if block.fields and not any(_empty_struct(field.type) for field in table.schema):
        buffer = io.BytesIO()  # (Parquet has no struct without fields)
        pq.write_table(table, buffer)
        read = pq.read_table(io.BytesIO(buffer.getvalue()))
        assert read.schema == table.schema
        assert repr(read.to_pylist()) == repr(table.to_pylist())


def test_types_no_value_decides_are_strings_as_the_parquet_sink_has_them() -> None:
    block = ColumnBlock(
        0,
        2,
        {
            "gone": Leaf(pa.nulls(2)),
            "none": Constant(None, 2),
            "logins": Constant({"logins": []}, 2),
            "inner": Obj({"x": Leaf(pa.nulls(2))}, 2),
            "tags": ListOf(np.array([0, 0, 0]), Leaf(pa.nulls(0))),
        },
    )
    schema = arrow_table(block).schema
    assert schema.field("gone").type == pa.string()
    assert schema.field("none").type == pa.string()
    assert schema.field("logins").type == pa.struct([("logins", pa.list_(pa.string()))])
    assert schema.field("inner").type == pa.struct([("x", pa.string())])
    assert schema.field("tags").type == pa.list_(pa.string())


def test_a_cell_csv_quotes_or_a_lone_empty_cell_is_written_as_python_writes_it() -> (
    None
):
    texts = ["", "a,b", 'say "hi"', "two\nlines", "cr\r", "back\\slash", "tab\t"]
    block = ColumnBlock(0, len(texts), {"t": Leaf(pa.array(texts))})
    docs = documents(block)
    for columns in (["t"], ["t", "t"], []):
        expected = _outcome(lambda: CsvEncoder(columns).encode_many(docs))
        assert _outcome(lambda: csv_rows(block, columns)) == expected


@pytest.mark.parametrize("dotted_first", [True, False])
def test_a_field_named_like_an_objects_member_wins_where_it_comes_later(
    dotted_first: bool,
) -> None:
    dotted = ("a.b", Leaf(pa.array([1, None, 3])))
    inner = Obj({"b": Leaf(pa.array(["x", "y,", "z"]))}, 3, np.array([1, 0, 1], bool))
    pairs: list[tuple[str, Column]] = [dotted, ("a", inner)]
    fields = dict(pairs if dotted_first else pairs[::-1])
    block = ColumnBlock(0, 3, fields)
    docs = documents(block)
    for columns in (csv_columns(block), ["a.b"], ["a", "a.b"], ["a.b", "zz"]):
        expected = _outcome(lambda: CsvEncoder(columns).encode_many(docs))
        assert _outcome(lambda: csv_rows(block, columns)) == expected


def test_floats_are_orjsons_text_in_json_and_pythons_str_in_csv() -> None:
    values = [3.0, 1e16, 1e-5, 1e-7, -0.0, 5e-324, float("nan"), float("-inf"), 0.1]
    block = ColumnBlock(0, len(values), {"f": Leaf(pa.array(values))})
    assert json_lines(block).split(b"\n")[:4] == [
        b'{"f":3.0}', b'{"f":1e+16}', b'{"f":0.00001}', b'{"f":1e-7}'
    ]  # fmt: skip
    cells = csv_rows(block, ["f"]).decode().split("\n")[:-1]
    assert cells == [str(value) for value in values]


@pytest.mark.parametrize("with_object", [False, True])
def test_a_leaf_holding_json_text_is_its_values_in_documents_and_csv(
    with_object: bool,
) -> None:
    """A field Arrow cannot type (a choice of 1, text, null, a list, true)
    is held as its JSON text: documents() read it back, so they are what the
    JSON lines say, and CSV writes the values, not their text."""
    values: list[Any] = [1, "a, b", None, [1, "x"], True]
    if with_object:  # CsvEncoder flattens it as x.k and refuses the new key
        values.append({"k": "v"})
    leaf = python_leaf(values)
    assert holds_json_text(leaf)
    block = ColumnBlock(
        0, len(values), {"x": leaf, "n": Leaf(pa.array(range(len(values))))}
    )
    docs = [{"x": value, "n": at} for at, value in enumerate(values)]
    assert documents(block) == docs
    assert [orjson.loads(line) for line in json_lines(block).splitlines()] == docs
    assert _outcome(lambda: csv_rows(block, ["x", "n"])) == _outcome(
        lambda: CsvEncoder(["x", "n"]).encode_many(docs)
    )


#: The edges of the set values.NOT_PLAIN holds, and their neighbours.
_EDGES = '"\\,\x00\x1f \x7e\x7f\x9f\xa0\u2027\u2028\u2029\u202a'


@many
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(_EDGES)))
def test_a_text_is_plain_alone_as_in_an_array(text: str) -> None:
    """One character set (values.NOT_PLAIN), read by Python's re for a text
    and by RE2 for an array: both say the same of every text."""
    assert is_plain_text(text) == is_plain(pa.array([text]))
    assert is_plain_text(text) == all(
        char not in '"\\,\u2028\u2029' and not 0 <= ord(char) <= 0x1F
        and not 0x7F <= ord(char) <= 0x9F for char in text
    )  # fmt: skip


@many
@given(st.lists(st.none() | st.text(), max_size=6), st.integers(0, 3))
def test_a_string_arrays_buffers_make_it_again(
    texts: list[str | None], skip: int
) -> None:
    values = pa.array(texts, pa.string()).slice(min(skip, len(texts)))
    offsets, data = string_buffers(values)
    again = from_buffers(offsets, data)
    assert again.to_pylist() == [text or "" for text in values.to_pylist()]


def test_a_byte_matrix_is_one_string_a_row() -> None:
    matrix = np.frombuffer(b"ab1cd2ef3", dtype=np.uint8).reshape(3, 3)
    assert fixed_width(matrix).to_pylist() == ["ab1", "cd2", "ef3"]
    assert fixed_width(matrix[:, 1:]).to_pylist() == ["b1", "d2", "f3"]


def test_an_empty_block_has_no_first_document() -> None:
    empty = ColumnBlock(0, 0, {"a": Leaf(pa.array([], pa.string()))})
    assert json_lines(empty) == b"" and csv_rows(empty, ["a"]) == b""
    with pytest.raises(ValueError, match="no first document"):
        csv_columns(empty)


def starfleet_block(start: int, count: int, seed: int) -> ColumnBlock:
    """A block like examples/starfleet_account.yaml's documents: a uuid, a
    date, an email, an 11-digit number, three names (a vocabulary's JSON
    texts taken by index), a constant object and a 14-character code."""
    rng = np.random.default_rng(seed)
    hexes = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    uuid = hexes[rng.integers(0, 16, (count, 36))]
    uuid[:, [8, 13, 18, 23]] = ord("-")
    date = np.frombuffer(b"2024-05-17", dtype=np.uint8)[None, :].repeat(count, 0)
    date[:, 9] = ord("0") + rng.integers(0, 10, count)
    email = np.frombuffer(b"xxxxxxxx@example.com", dtype=np.uint8)[None, :].repeat(
        count, 0
    )
    email[:, :8] = ord("a") + rng.integers(0, 26, (count, 8))
    digits = (ord("0") + rng.integers(0, 10, (count, 11))).astype(np.uint8)
    code = (ord("A") + rng.integers(0, 26, (count, 14))).astype(np.uint8)
    vocabulary = pa.array([f"Name{at}" for at in range(3000)])
    quoted = pa.array([orjson.dumps(word).decode() for word in vocabulary.to_pylist()])

    def name() -> Leaf:
        taking = pa.array(rng.integers(0, len(vocabulary), count))
        return Leaf(vocabulary.take(taking), quoted.take(taking), plain=True)

    return ColumnBlock(
        start,
        count,
        {
            "id": _fixed(uuid),
            "created": _fixed(date),
            "email": _fixed(email),
            "phone": _fixed(digits),
            "first_name": name(),
            "middle_name": name(),
            "last_name": name(),
            "activity": Constant({"logins": []}, count),
            "code": _fixed(code),
        },
    )


def test_a_million_starfleet_documents_encode_in_a_fraction_of_a_second() -> None:
    size, count = 50_000, 20
    made = [starfleet_block(at * size, size, at) for at in range(count)]
    sample = ColumnBlock(0, 500, {k: _head(c, 500) for k, c in made[0].items()})
    assert json_lines(sample) == JsonLinesEncoder().encode_many(documents(sample))
    columns = csv_columns(sample)
    assert csv_rows(sample, columns) == CsvEncoder(columns).encode_many(
        documents(sample)
    )
    for name, encode in (
        ("json lines", json_lines),
        ("csv", lambda block: csv_rows(block, columns)),
    ):
        took = []
        for _ in range(2):  # the better of two: other processes share the machine
            began = time.perf_counter()
            written = sum(len(encode(block)) for block in made)
            took.append(time.perf_counter() - began)
        print(f"\n{size * count:,} starfleet documents as {name}: {min(took):.3f} s "
              f"({written / 1e6:.0f} MB)")  # fmt: skip


def _fixed(matrix: np.ndarray) -> Leaf:
    """Row i of an (n, width) matrix of ASCII bytes as string i (plain)."""
    return Leaf(fixed_width(matrix), plain=True)


def _head(column: Any, count: int) -> Any:
    if isinstance(column, Leaf):
        json = None if column.json is None else column.json.slice(0, count)
        return Leaf(column.values.slice(0, count), json, column.plain)
    return Constant(column.value, count)


def _empty_struct(kind: pa.DataType) -> bool:
    if pa.types.is_struct(kind):
        fields = [kind.field(at).type for at in range(kind.num_fields)]
        return not fields or any(map(_empty_struct, fields))
    return pa.types.is_list(kind) and _empty_struct(kind.value_type)


def _outcome(make: Callable[[], bytes]) -> bytes | tuple[str, str]:
    """What make() returns, or the ConfigError it raises as (name, message)."""
    try:
        return make()
    except ConfigError as error:
        return ("ConfigError", str(error))
