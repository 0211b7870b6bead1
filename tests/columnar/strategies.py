"""Hypothesis strategies for random ColumnBlocks: every column shape, nested,
with adversarial text, extreme numbers and nulls everywhere."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
from hypothesis import strategies as st

from datagen.engine.columns.block import Column, ColumnBlock, Constant, Leaf, ListOf
from datagen.engine.columns.block import Obj, with_nulls

#: Characters JSON escapes, CSV quotes, or that are multibyte in UTF-8.
TRICKY = list('"\\,\n\r\t\x00\x01\x1f\x7f\u2028\u2029\x85 é€😀.{}[]:')
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(TRICKY), st.characters(codec="utf-8"), st.sampled_from("ab")
    ),
    max_size=6,
)
plain_texts = st.text(alphabet="abc XYZ-_@.é😀", max_size=6)
keys = st.text(alphabet='ab.é"\n', max_size=3)
int64s = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 2**63 - 1, -(2**63), 2**53 + 1]),
)
floats = st.one_of(
    st.floats(),
    st.sampled_from(
        [0.0, -0.0, 1.0, 3.0, 1e16, 1e15, 1e-4, 9.9e-5, 1e-5, 1e-7, 5e-324, 1e308, -2.5]
    ),
)
#: The least Leaf.plain promises (the contract's '"', '\\', ',' and C0 controls):
#: the encoders must be right for any plain Leaf, not only for what
#: values.is_plain_text, stricter, lets through.
_NOT_PLAIN = re.compile(r'["\\,\x00-\x1f]')


def nullable(values: st.SearchStrategy[Any], n: int) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.one_of(st.none(), values), min_size=n, max_size=n)


def json_values(arrow: bool) -> st.SearchStrategy[Any]:
    """Any JSON value; with arrow, only those pa.array types without change
    (lists of one scalar kind, no lists of objects)."""
    if not arrow:
        scalars = st.one_of(st.none(), st.booleans(), int64s, floats, texts)
        return st.recursive(
            scalars,
            lambda inner: st.lists(inner, max_size=3)
            | st.dictionaries(keys, inner, max_size=3),
            max_leaves=8,
        )
    kinds = [st.booleans(), int64s, floats, texts]
    scalar_lists = st.one_of(
        *(st.lists(st.none() | kind, max_size=3) for kind in kinds)
    )
    return st.recursive(
        st.one_of(st.none(), *kinds, scalar_lists),
        lambda inner: st.dictionaries(keys, inner, max_size=3),
        max_leaves=6,
    )


@st.composite
def leaves(draw: st.DrawFn, n: int, arrow_only: bool = False) -> Leaf:
    """A Leaf of n values of one Arrow type, sometimes a slice of a longer
    array; unless arrow_only, also one holding the JSON text of any JSON values
    (as values.python_leaf holds values Arrow cannot type)."""
    skip = draw(st.sampled_from([0, 0, 2]))
    kind = draw(
        st.sampled_from(
            [
                "text", "plain", "json", "int64", "int32", "uint64", "float64",
                "float32", "bool", "null", "dictionary", "large", "struct", "list",
                "timestamp", "date",
            ] + ([] if arrow_only else ["held"])
        )
    )  # fmt: skip
    size = n + skip
    if kind == "held":
        held = [
            None if v is None else orjson.dumps(v).decode()
            for v in draw(nullable(json_values(False), size))
        ]
        texts_of = pa.array(held, pa.string()).slice(skip)
        return Leaf(texts_of, texts_of)
    if kind in ("text", "large", "json"):
        values = draw(nullable(texts, size))
        arrow = pa.array(values, pa.large_string() if kind == "large" else pa.string())
        if kind == "json":
            encoded = [
                None if v is None else orjson.dumps(v).decode() for v in values[skip:]
            ]
            return Leaf(arrow.slice(skip), pa.array(encoded, pa.string()))
        plain = not any(_NOT_PLAIN.search(v) for v in values[skip:] if v is not None)
        return Leaf(arrow.slice(skip), plain=plain and draw(st.booleans()))
    if kind == "plain":
        return Leaf(pa.array(draw(nullable(plain_texts, size))).slice(skip), plain=True)
    if kind == "dictionary":
        words = draw(st.lists(st.none() | texts, min_size=1, max_size=4))
        words = pa.array(
            words, pa.string()
        )  # (a null-typed dictionary crashes is_null)
        index = st.integers(0, len(words) - 1)
        indices = pa.array(draw(nullable(index, size)), pa.int32())
        return Leaf(pa.DictionaryArray.from_arrays(indices, words).slice(skip))
    if kind == "null":
        return Leaf(pa.nulls(n))
    draws: dict[str, tuple[st.SearchStrategy[Any], pa.DataType]] = {
        "int64": (int64s, pa.int64()),
        "int32": (st.integers(-(2**31), 2**31 - 1), pa.int32()),
        "uint64": (st.integers(0, 2**64 - 1), pa.uint64()),
        "float64": (floats, pa.float64()),
        "float32": (floats, pa.float32()),
        "bool": (st.booleans(), pa.bool_()),
        "struct": (
            st.fixed_dictionaries({"a": st.none() | texts, "b.c": st.none() | int64s}),
            pa.struct([("a", pa.string()), ("b.c", pa.int64())]),
        ),
        "list": (st.lists(st.none() | floats, max_size=3), pa.list_(pa.float64())),
        "timestamp": (st.datetimes(dt.datetime(1900, 1, 1)), pa.timestamp("us")),
        "date": (st.dates(), pa.date32()),
    }
    values_of, data_type = draws[kind]
    values = draw(nullable(values_of, size))
    if kind == "float32":
        with np.errstate(over="ignore"):
            values = [None if v is None else float(np.float32(v)) for v in values]
    arrow = pa.array(values, data_type).slice(skip)
    if draw(st.integers(0, 3)) == 0:  # with each value's JSON text, as generators give
        encoded = [
            None if v is None else orjson.dumps(v).decode() for v in arrow.to_pylist()
        ]
        return Leaf(arrow, pa.array(encoded, pa.string()))
    return Leaf(arrow)


@st.composite
def columns(draw: st.DrawFn, n: int, depth: int = 2, arrow: bool = False) -> Column:
    """Any column of n rows; nested (objects, lists) up to depth."""
    shapes = ["leaf", "leaf", "constant"] + (["object", "list"] if depth else [])
    shape = draw(st.sampled_from(shapes))
    column: Column
    if shape == "leaf":
        column = draw(leaves(n, arrow))
    elif shape == "constant":
        column = Constant(draw(json_values(arrow)), n)
    elif shape == "object":
        fields = draw(st.dictionaries(keys, columns(n, depth - 1, arrow), max_size=3))
        column = Obj(fields, n, draw(valid_masks(n)))
    else:
        lengths = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        first = draw(st.sampled_from([0, 0, 1]))
        offsets = np.cumsum([first, *lengths]).astype(np.int64)
        items = draw(columns(int(offsets[-1]), depth - 1, arrow))
        column = ListOf(offsets, items, draw(valid_masks(n)))
    if draw(st.integers(0, 4)) == 0 and (arrow or shape != "constant"):
        # null_rate over any shape (a Constant becomes an Arrow array of its value)
        nulls = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        column = with_nulls(column, nulls.astype(bool))
    return column


def valid_masks(n: int) -> st.SearchStrategy[np.ndarray | None]:
    masks = st.lists(st.booleans(), min_size=n, max_size=n).map(
        lambda bits: np.array(bits, dtype=bool)
    )
    return st.none() | masks


@st.composite
def blocks(draw: st.DrawFn, arrow: bool = False, min_count: int = 0) -> ColumnBlock:
    """A block of 0-6 documents (min_count at least) of up to 4 fields."""
    n = draw(st.integers(min_count, 6))
    fields = draw(st.dictionaries(keys, columns(n, arrow=arrow), max_size=4))
    return ColumnBlock(draw(st.integers(0, 100)), n, fields)
