"""Mimesis's Address, Datetime and Finance methods that are more than one
choice from a list: the locale's address format filled, postal codes and
secondary addresses by the locale's masks, flags, coordinates, timezones,
week dates and the locale's currency."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
from mimesis.datasets import COUNTRY_CODES, TIMEZONES
from mimesis.enums import TimezoneRegion

from datagen.engine.columns.block import Column, Constant, Obj
from datagen.engine.columns.mimesis.masks import mask_column, masks_column
from datagen.engine.columns.mimesis.args import (
    Unsupported,
    VectorMaker,
    arguments,
    integer,
    members,
)
from datagen.engine.columns.mimesis.choices import chosen
from datagen.engine.columns.mimesis.data import NoData, Pick, lookup, pick
from datagen.engine.columns.mimesis.numbers import floats, uniform_floats
from datagen.engine.columns.mimesis.parts import (
    Part,
    Piece,
    join,
    number_part,
    part_leaf,
    picked_part,
)

PartMaker = Callable[[np.random.Generator, int], Part]


def address(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """The locale's address_fmt filled: st_num a street number (1..1400),
    st_name and st_sfx a street name and suffix; 'ja' fills '{} {}-{}-{}'
    with a city and three numbers 1..99 (Mimesis's randints)."""
    arguments(kwargs)
    fmt = lookup(locale, "address/address_fmt")
    fields: dict[str, PartMaker] = {
        "st_num": lambda rng, n: number_part(rng, 1, 1400, n),
        "st_name": _words(pick(locale, "address/street/name")),
        "st_sfx": _words(pick(locale, "address/street/suffix")),
    }
    city = _words(pick(locale, "address/city"))
    block = (lambda rng, n: number_part(rng, 1, 99, n)) if locale == "ja" else None
    layout: list[str | PartMaker] = []
    position = 0
    for literal, name, spec, conversion in string.Formatter().parse(fmt):
        if literal:
            layout.append(literal)
        if name is None:
            continue
        if spec or conversion:
            raise Unsupported(f"the locale's address format {fmt!r}")
        if name == "" and block is not None:
            layout.append(city if position == 0 else block)
            position += 1
        elif name in fields:
            layout.append(fields[name])
        else:
            raise Unsupported(f"the locale's address format {fmt!r}")

    def make(rng: np.random.Generator, n: int) -> Column:
        pieces: list[Piece] = [
            item if isinstance(item, str) else item(rng, n) for item in layout
        ]
        return join(pieces)

    return make


def _words(of: Pick) -> PartMaker:
    return lambda rng, n: picked_part(of, rng, n)


def street_number(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    maximum = integer(arguments(kwargs, maximum=1400)["maximum"], "maximum")
    if maximum < 1:
        raise Unsupported("maximum is under 1")
    return lambda rng, n: part_leaf(number_part(rng, 1, maximum, n))


def postal_code(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    arguments(kwargs)
    mask = lookup(locale, "address/postal_code_fmt")
    return lambda rng, n: mask_column(mask, rng, n)


_SECONDARY = ["Apt. #", "Apt. ##", "Apt. ###", "Apt. @"]
_SECONDARY += ["Suite ###", "Suite ####", "Unit #", "Unit @"]


def secondary_address(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    arguments(kwargs)
    try:
        masks = list(lookup(locale, "address/secondary_address_fmt"))
    except NoData:
        masks = _SECONDARY
    return lambda rng, n: masks_column(masks, rng, n)


def country_emoji_flag(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """A country's ISO code in regional indicator letters."""
    arguments(kwargs)
    return chosen(_flags())


@cache
def _flags() -> Pick:
    offset = ord("🇦") - ord("A")
    flags = [
        "".join(chr(ord(c) + offset) for c in code) for code in COUNTRY_CODES["a2"]
    ]
    return Pick.of([flags])


def _degrees(key: str) -> Callable[[Mapping[str, Any], str], VectorMaker]:
    """latitude ('lt', -90..90) or longitude ('lg', -180..180), 6 decimals."""
    bound = 90 if key == "lt" else 180

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        if arguments(kwargs, dms=False)["dms"]:
            raise Unsupported("dms=True (degrees, minutes, seconds as text)")
        return uniform_floats(-bound, bound, 6)

    return build


latitude = _degrees("lt")
longitude = _degrees("lg")


def coordinates(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    longitudes, latitudes = longitude(kwargs, locale), latitude(kwargs, locale)

    def make(rng: np.random.Generator, n: int) -> Column:
        fields = {"longitude": longitudes(rng, n), "latitude": latitudes(rng, n)}
        return Obj(fields, n)

    return make


def timezone(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """A timezone of the region (None: a random region per call)."""
    region = arguments(kwargs, region=None)["region"]
    names = tuple(member.value for member in members(region, TimezoneRegion))
    return chosen(_timezones(names))


@cache
def _timezones(regions: tuple[str, ...]) -> Pick:
    lists = [[zone for zone in TIMEZONES if zone.startswith(r)] for r in regions]
    if not all(lists):
        raise Unsupported("a timezone region without timezones")
    return Pick.of(lists)


_CURRENT_YEAR = datetime.now().year


def week_date(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'{year}-W{week}', the year between start and end, week 1..52."""
    args = arguments(kwargs, start=2017, end=_CURRENT_YEAR)
    start, end = integer(args["start"], "start"), integer(args["end"], "end")
    if start > end:
        raise Unsupported("start is after end")

    def make(rng: np.random.Generator, n: int) -> Column:
        year = number_part(rng, start, end, n)
        return join([year, "-W", number_part(rng, 1, 52, n)])

    return make


def currency_iso_code(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """The locale's currency; allow_random: any ISO code."""
    if arguments(kwargs, allow_random=False)["allow_random"]:
        return chosen(pick(locale, "datasets/CURRENCY_ISO_CODES"))
    code = lookup(locale, "finance/currency-code")
    return lambda rng, n: Constant(code, n)


def currency_symbol(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    arguments(kwargs)
    symbol = lookup(locale, f"datasets/CURRENCY_SYMBOLS/{locale}")
    return lambda rng, n: Constant(symbol, n)


price = floats("minimum", 500, "maximum", 1500, 2, "as_decimal")
price_in_btc = floats("minimum", 0, "maximum", 2, 8, "as_decimal")
