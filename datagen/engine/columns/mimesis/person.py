"""Mimesis's Person methods a block at a time, each mirroring the provider's
code (mimesis/providers/person.py): the same data keys, the same gender
handling (no gender: a random one per call, name and surname apart), the
same masks and the same assembly of emails and usernames."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
from mimesis.datasets import CALLING_CODES, EMAIL_DOMAINS, USERNAMES
from mimesis.enums import Gender, TitleType

from datagen.engine.columns.block import Column, Constant
from datagen.engine.columns.mimesis.masks import (
    check_placeholders,
    e164_mask,
    mask_column,
    masks_column,
)
from datagen.engine.columns.mimesis.args import (
    Builder,
    Unsupported,
    VectorMaker,
    arguments,
    integer,
    members,
    number,
    text,
    texts,
)
from datagen.engine.columns.mimesis.data import NoData, Pick, lookup, pick, pick_of
from datagen.engine.columns.mimesis.parts import (
    Piece,
    join,
    number_part,
    part_leaf,
    picked,
    picked_part,
    rounded_texts,
)
from datagen.engine.columns.mimesis.numbers import integers


def gendered(locale: str, path: str, gender: Any) -> Pick:
    """The words at path, by gender where the locale splits them so (as
    Mimesis's surname() and nationality() do; names are always split)."""
    if isinstance(lookup(locale, path), dict):
        return pick(locale, *(f"{path}/{g.value}" for g in members(gender, Gender)))
    return pick(locale, path)


def _words(path: str) -> Builder:
    """The builder of a method drawing a word of path by its gender argument."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        chosen = gendered(locale, path, arguments(kwargs, gender=None)["gender"])
        return lambda rng, n: picked(chosen, rng, n)

    return build


#: person.name / first_name, surname / last_name, nationality.
names = _words("person/names")
surnames = _words("person/surnames")
nationality = _words("person/nationality")


def title(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    args = arguments(kwargs, gender=None, title_type=None)
    paths = [
        f"person/title/{g.value}/{t.value}"
        for g in members(args["gender"], Gender)
        for t in members(args["title_type"], TitleType)
    ]
    chosen = pick(locale, *paths)
    return lambda rng, n: picked(chosen, rng, n)


def full_name(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    args = arguments(kwargs, gender=None, reverse=False)
    first = gendered(locale, "person/names", args["gender"])
    last = gendered(locale, "person/surnames", args["gender"])
    reverse = bool(args["reverse"])

    def make(rng: np.random.Generator, n: int) -> Column:
        name = picked_part(first, rng, n)
        surname = picked_part(last, rng, n)
        return join([surname, " ", name] if reverse else [name, " ", surname])

    return make


def patronymic(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """Only some locales have patronymics; the others give None."""
    gender = arguments(kwargs, gender=None)["gender"]
    paths = [f"person/patronymic/{g.value}" for g in members(gender, Gender)]
    try:
        chosen = pick(locale, *paths)
    except NoData:
        return lambda rng, n: Constant(None, n)
    return lambda rng, n: picked(chosen, rng, n)


#: The digits of username(mask="ld"), Mimesis's email local part.
_DRANGE = (1800, 2100)
#: Up to this many year-and-domain endings are one vocabulary (one take).
_ENDINGS = 100_000


def email(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """username(mask='ld') then '@' and a domain: 'foretime10@live.com'."""
    args = arguments(kwargs, domains=None, unique=False)
    if args["unique"]:
        raise Unsupported("unique=True (uuids; a seeded Mimesis refuses it)")
    given = texts(args["domains"], "domains") if args["domains"] else EMAIL_DOMAINS
    domains = tuple(d if d.startswith("@") else "@" + d for d in given)
    words = _usernames("l")
    if len(domains) * (_DRANGE[1] - _DRANGE[0] + 1) <= _ENDINGS:
        endings = _endings(domains)

        def make(rng: np.random.Generator, n: int) -> Column:
            return join([picked_part(words, rng, n), picked_part(endings, rng, n)])

        return make
    at = pick_of(domains)

    def make_apart(rng: np.random.Generator, n: int) -> Column:
        word = picked_part(words, rng, n)
        year = number_part(rng, *_DRANGE, n)
        return join([word, year, picked_part(at, rng, n)])

    return make_apart


@cache
def _endings(domains: tuple[str, ...]) -> Pick:
    """Every year of _DRANGE followed by every domain."""
    years = range(_DRANGE[0], _DRANGE[1] + 1)
    return pick_of(tuple(f"{year}{domain}" for year in years for domain in domains))


@cache
def _usernames(tag: str) -> Pick:
    """Mimesis's USERNAMES as its username() tag writes them."""
    case = {"C": str.capitalize, "U": str.upper, "l": str.lower}[tag]
    return pick_of(tuple(case(word) for word in USERNAMES))


_TAGS = re.compile(r"[CUld.\-_]")


def username(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """The mask's tags (other characters are dropped, as Mimesis does):
    C, U, l a word capitalised, upper or lower case, d a number of drange,
    '.', '-', '_' themselves."""
    args = arguments(kwargs, mask=None, drange=_DRANGE)
    mask = "l_d" if args["mask"] is None else text(args["mask"], "mask")
    drange = args["drange"]
    if not isinstance(drange, (list, tuple)) or len(drange) != 2:
        raise Unsupported("drange is not two integers")
    low, high = (integer(value, "drange") for value in drange)
    if low > high:
        raise Unsupported("drange runs backwards")
    tags = _TAGS.findall(mask)
    if not any(tag in "CUl" for tag in tags):
        raise Unsupported("the mask has none of C, U, l")

    def make(rng: np.random.Generator, n: int) -> Column:
        pieces: list[Piece] = []
        for tag in tags:
            if tag in "CUl":
                pieces.append(picked_part(_usernames(tag), rng, n))
            elif tag == "d":
                pieces.append(number_part(rng, low, high, n))
            else:
                pieces.append(tag)
        return join(pieces)

    return make


def telephone(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """The mask given, else one of the locale's formats; placeholder marks
    the digits ('@' stays the letters' placeholder, as in Mimesis)."""
    args = arguments(kwargs, mask="", placeholder="#", e164=False)
    mask = text(args["mask"] or "", "mask")  # no mask (None too): the locale's
    digit = text(args["placeholder"], "placeholder")
    _check("@", digit)
    if mask:
        masks = [mask]
    else:
        try:
            masks = list(lookup(locale, "person/telephone_fmt"))
        except NoData:
            masks = [f"{code}-(###)-###-####" for code in CALLING_CODES]
    if args["e164"]:
        masks = [e164_mask(each, "@", digit) for each in masks]
    return lambda rng, n: masks_column(masks, rng, n, "@", digit)


def identifier(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    mask = text(arguments(kwargs, mask="##-##/##")["mask"], "mask")
    return lambda rng, n: mask_column(mask, rng, n)


def _check(char: str, digit: str) -> None:
    try:
        check_placeholders(char, digit)
    except ValueError as exc:
        raise Unsupported(str(exc)) from None


def height(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """f'{uniform(minimum, maximum):0.2f}' metres, as text."""
    args = arguments(kwargs, minimum=1.5, maximum=2.0)
    low, high = number(args["minimum"], "minimum"), number(args["maximum"], "maximum")
    try:
        heights = rounded_texts(low, high, 2)
    except ValueError as exc:
        raise Unsupported(str(exc)) from None
    return lambda rng, n: part_leaf(heights(rng, n))


weight = integers("minimum", 38, "maximum", 90)
