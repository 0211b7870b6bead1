"""Templates n at a time: each part's values as text (a string as it is,
others as the caller's text_of writes one value), joined row by row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from datagen.engine.columns.block import Column, Constant, Leaf
from datagen.engine.columns.documents import python_values
from datagen.engine.columns.values import holds_json_text, is_plain, is_plain_text

#: One value's text in a template (the row engine's reading.template_text).
TextOf = Callable[[Any], str]


def template_column(
    parts: Sequence[str | Column], count: int, text_of: TextOf
) -> Column:
    """Each row's parts joined: literal text as it is, columns' values as
    text; a Constant when no part varies."""
    texts: list[str | pa.Array] = []
    plain = True
    for part in parts:
        made = part if isinstance(part, str) else texts_of(part, text_of)
        if isinstance(made, str):
            plain = plain and is_plain_text(made)
            if texts and isinstance(texts[-1], str):
                texts[-1] += made
                continue
        else:
            plain = plain and made[1]
            made = made[0]
        texts.append(made)
    if all(isinstance(text, str) for text in texts):
        return Constant("".join(str(text) for text in texts), count)
    if len(texts) == 1:
        return Leaf(texts[0], plain=plain)
    return Leaf(pc.binary_join_element_wise(*texts, ""), plain=plain)


def texts_of(column: Column, text_of: TextOf) -> str | tuple[pa.Array, bool]:
    """The column's values as text, with whether they are plain; a
    constant's one text."""
    if isinstance(column, Constant):
        return text_of(column.value)
    if isinstance(column, Leaf) and not holds_json_text(column):
        values = column.values
        kind = values.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return values.cast(pa.string()).fill_null("null"), column.plain
        if pa.types.is_integer(kind):
            return values.cast(pa.string()).fill_null("null"), True
        if pa.types.is_boolean(kind):
            words = pc.if_else(values, "true", "false")
            return words.fill_null("null"), True
    written = [text_of(value) for value in python_values(column)]
    texts = pa.array(written, pa.string())
    return texts, is_plain(texts)
