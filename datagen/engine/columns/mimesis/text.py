"""Mimesis's Text methods and the small composite ones of Development,
Hardware, Science and Transport: word lists, sentences, emoji, colours,
versions, frequencies, sequences, registration codes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
from mimesis.constants import DATADIR
from mimesis.datasets import VRC_BY_LOCALES
from mimesis.enums import EmojiCategory
from mimesis.enums import Locale as MimesisLocale

from datagen.engine.columns.block import Column, Constant, Leaf
from datagen.engine.columns.mimesis.masks import alphabet_column
from datagen.engine.columns.mimesis.args import (
    Builder,
    Unsupported,
    VectorMaker,
    arguments,
    integer,
    members,
)
from datagen.engine.columns.mimesis.choices import chosen
from datagen.engine.columns.mimesis.data import Pick, lookup, pick
from datagen.engine.columns.mimesis.parts import (
    Piece,
    join,
    joined_words,
    number_part,
    rounded_texts,
    word_lists,
)


def _quantity(kwargs: Mapping[str, Any], default: int) -> int:
    quantity = integer(arguments(kwargs, quantity=default)["quantity"], "quantity")
    if quantity < 0:
        raise Unsupported("quantity is negative")
    return quantity


def words(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """A list of quantity words of the locale."""
    quantity = _quantity(kwargs, 5)
    of = pick(locale, "text/words")
    return lambda rng, n: word_lists(of, rng, np.full(n, quantity))


def text(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """quantity of the locale's sentences joined by spaces."""
    return _sentences(_quantity(kwargs, 5), locale)


def sentence(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """One sentence (text.sentence and text.title)."""
    arguments(kwargs)
    return _sentences(1, locale)


def _sentences(quantity: int, locale: str) -> VectorMaker:
    of = pick(locale, "text/text")
    return lambda rng, n: joined_words(of, rng, np.full(n, quantity), " ")


def alphabet(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """The locale's alphabet (a list, the same every call)."""
    lower = arguments(kwargs, lower_case=False)["lower_case"]
    letters = lookup(locale, f"text/alphabet/{'lowercase' if lower else 'uppercase'}")
    return lambda rng, n: Constant(list(letters), n)


def emoji(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    category = arguments(kwargs, category=EmojiCategory.DEFAULT)["category"]
    names = tuple(member.value for member in members(category, EmojiCategory))
    return chosen(_emojis(names))


@cache
def _emojis(categories: tuple[str, ...]) -> Pick:
    """The emoji of the categories as text (code points joined)."""
    with DATADIR.joinpath("global", "emojis.json").open() as file:
        table = json.load(file)

    def symbol(code: str | list[str]) -> str:
        codes = code if isinstance(code, list) else [code]
        return "".join(chr(int(part, 16)) for part in codes)

    return Pick.of([[symbol(code) for code in table[name]] for name in categories])


def hex_color(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'#' and six hex digits; safe: one of Mimesis's safe colours."""
    if arguments(kwargs, safe=False)["safe"]:
        return chosen(pick("", "datasets/SAFE_COLORS"))
    return lambda rng, n: alphabet_column("0123456789abcdef", 6, rng, n, "#")


def sequence(letters: str) -> Builder:
    """science.dna_sequence / rna_sequence: length letters of these."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        length = integer(arguments(kwargs, length=10)["length"], "length")
        if length < 0:
            raise Unsupported("length is negative")
        return lambda rng, n: alphabet_column(letters, length, rng, n)

    return build


def version(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'major.minor.patch', each 0..99 (Mimesis's randints(3, 0, 100))."""
    arguments(kwargs)
    return _dotted((0, 99), (0, 99), (0, 99))


def calver(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'year.month.day': 2016..this year, 1..12, 1..29."""
    arguments(kwargs)
    return _dotted((2016, datetime.now().year), (1, 12), (1, 29))


def _dotted(*ranges: tuple[int, int]) -> VectorMaker:
    """Numbers in these ranges (both ends included), drawn in order and
    joined by '.'."""

    def make(rng: np.random.Generator, n: int) -> Column:
        pieces: list[Piece] = []
        for low, high in ranges:
            pieces += [".", number_part(rng, low, high, n)]
        return join(pieces[1:])

    return make


def boolean(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    arguments(kwargs)
    return lambda rng, n: Leaf(pa.array(rng.random(n) < 0.5))


def cpu_frequency(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """f'{round(uniform(1.5, 4.3), 1)}GHz'."""
    arguments(kwargs)
    frequencies = rounded_texts(1.5, 4.3, 1)

    def make(rng: np.random.Generator, n: int) -> Column:
        return join([frequencies(rng, n), "GHz"])

    return make


def vehicle_registration_code(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """The code of the locale given, else any code."""
    given = arguments(kwargs, locale=None)["locale"]
    if given is None:
        return chosen(pick("", "datasets/VR_CODES"))
    code = VRC_BY_LOCALES.get(members(given, MimesisLocale)[0].value)
    if code is None:
        raise Unsupported(f"no registration code for {given!r}")
    return lambda rng, n: Constant(code, n)
