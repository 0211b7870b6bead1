"""Leaves from values already made: Python values (each with its JSON text),
a vocabulary taken by index, and whether strings are plain (nothing JSON
escapes or CSV quotes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.engine.columns.block import Leaf

#: What makes a string not plain: a quote, a backslash, a comma (what JSON
#: escapes or CSV quotes), a control character (C0, DEL, C1) or U+2028/U+2029
#: (to be safe). One pattern for Python's re (one text) and RE2 (whole
#: arrays): escapes both read, the two separators as themselves.
NOT_PLAIN = r'["\\,\x00-\x1f\x7f-\x9f' + "\u2028\u2029]"
_NOT_PLAIN_TEXT = re.compile(NOT_PLAIN)
_INVALID = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def is_plain_text(text: str) -> bool:
    """True when text holds none of NOT_PLAIN."""
    return _NOT_PLAIN_TEXT.search(text) is None


def is_plain(values: pa.Array) -> bool:
    """True when no value's text needs escaping or quoting: numbers, booleans,
    and strings holding none of NOT_PLAIN."""
    kind = values.type
    if (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_null(kind)
    ):
        return True
    if not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
        return False
    found = pc.any(pc.match_substring_regex(values, NOT_PLAIN)).as_py()
    return not found


def python_leaf(values: Sequence[Any]) -> Leaf:
    """values (made by Python code) as a Leaf: json each one's orjson text
    (null for None); values an Arrow array of them when Arrow holds them as
    they are (its values give the same JSON), else their JSON text."""
    texts = [
        None if value is None else orjson.dumps(value).decode() for value in values
    ]
    json = pa.array(texts, pa.string())
    arrow = _faithful(values)
    if arrow is None:
        return Leaf(json, json, False)
    return Leaf(arrow, json, is_plain(arrow))


def _faithful(values: Sequence[Any]) -> pa.Array | None:
    """pa.array(values), or None when Arrow cannot type them or changes them
    (1 and 2.5 become 1.0 and 2.5; mappings with other keys gain nulls)."""
    try:
        arrow = pa.array(values)
    except _INVALID + (OverflowError,):
        return None
    if orjson.dumps(arrow.to_pylist()) != orjson.dumps(list(values)):
        return None
    return arrow


def take_leaf(leaf: Leaf, indices: npt.NDArray[np.int64]) -> Leaf:
    """The leaf's rows at indices (a vocabulary's words by index)."""
    taking = pa.array(indices)
    json = None if leaf.json is None else leaf.json.take(taking)
    return Leaf(leaf.values.take(taking), json, leaf.plain)


def holds_json_text(leaf: Leaf) -> bool:
    """True for a python_leaf of values Arrow could not type: its values are
    their JSON text (a string's JSON text never equals the string), which
    documents.python_values reads back."""
    json = leaf.json
    return (
        json is not None
        and leaf.values.type == pa.string()
        and leaf.values.equals(json)
    )
