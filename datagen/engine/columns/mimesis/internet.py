"""Mimesis's Internet, File, Code and Payment methods that are more than one
choice from a list: hostnames, URLs, slugs, IPv4 addresses, ports, file
names and sizes, codes by masks, card codes and expiry dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from mimesis.datasets import EAN_MASKS, ISBN_GROUPS, ISBN_MASKS
from mimesis.enums import EANFormat, FileType, ISBNFormat, PortRange, TLDType, URLScheme
from mimesis.enums import Locale as MimesisLocale

from datagen.engine.columns.block import Column, Leaf
from datagen.engine.columns.mimesis.masks import mask_column, masks_column
from datagen.engine.columns.mimesis.args import (
    Builder,
    Unsupported,
    VectorMaker,
    arguments,
    integer,
    members,
    text,
    texts,
)
from datagen.engine.columns.mimesis.data import Pick, pick, pick_of
from datagen.engine.columns.mimesis.parts import (
    Part,
    Piece,
    join,
    joined_words,
    number_part,
    part_leaf,
    picked_part,
    text_leaf,
)


def _hosts(tld_type: Any, subdomains: Any) -> tuple[Pick, Pick, Pick | None]:
    """What hostname() draws: a USERNAMES word, a TLD of the type (None: a
    type per call), a subdomain when some are given."""
    types = members(tld_type, TLDType)
    tlds = pick("", *(f"datasets/TLD/{member.value}" for member in types))
    subs = pick_of(tuple(texts(subdomains, "subdomains"))) if subdomains else None
    return pick("", "datasets/USERNAMES"), tlds, subs


def _host(
    hosts: tuple[Pick, Pick, Pick | None], rng: np.random.Generator, n: int
) -> list[Piece]:
    words, tlds, subs = hosts
    pieces: list[Piece] = [] if subs is None else [picked_part(subs, rng, n), "."]
    return [*pieces, picked_part(words, rng, n), picked_part(tlds, rng, n)]


def hostname(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    args = arguments(kwargs, tld_type=None, subdomains=None)
    hosts = _hosts(args["tld_type"], args["subdomains"])
    return lambda rng, n: join(_host(hosts, rng, n))


def url(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'{scheme}://{hostname}[:{port}]/'."""
    args = arguments(
        kwargs,
        scheme=URLScheme.HTTPS,
        port_range=None,
        tld_type=None,
        subdomains=None,
    )
    hosts = _hosts(args["tld_type"], args["subdomains"])
    schemes = pick_of(
        tuple(member.value for member in members(args["scheme"], URLScheme))
    )
    ports = None if args["port_range"] is None else _ports(args["port_range"])

    def make(rng: np.random.Generator, n: int) -> Column:
        pieces = [picked_part(schemes, rng, n), "://", *_host(hosts, rng, n)]
        if ports is not None:
            pieces += [":", Part(ports(rng, n).cast(pa.string()))]
        return join([*pieces, "/"])

    return make


def _ports(port_range: Any) -> Callable[[np.random.Generator, int], pa.Array]:
    """randint over the range (None: a range per call, as validate_enum)."""
    bounds = np.array([member.value for member in members(port_range, PortRange)])
    lows, sizes = bounds[:, 0], bounds[:, 1] - bounds[:, 0] + 1

    def make(rng: np.random.Generator, n: int) -> pa.Array:
        which = rng.integers(0, len(lows), n)
        spread = (rng.random(n) * sizes[which]).astype(np.int64)
        return pa.array(lows[which] + np.minimum(spread, sizes[which] - 1))

    return make


def port(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    ports = _ports(arguments(kwargs, port_range=PortRange.ALL)["port_range"])
    return lambda rng, n: Leaf(ports(rng, n))


def slug(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """parts_count English words joined by '-' (None: 2..12 of them)."""
    return _slug(kwargs, "-")


def path(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """A slug with its '-' made '/'."""
    return _slug(kwargs, "/")


def _slug(kwargs: Mapping[str, Any], separator: str) -> VectorMaker:
    count = arguments(kwargs, parts_count=None)["parts_count"]
    low, high = (2, 12) if not count else (integer(count, "parts_count"),) * 2
    if not 2 <= low <= high <= 12:
        raise Unsupported("parts_count is not 2..12")
    words = pick("en", "text/words")

    def make(rng: np.random.Generator, n: int) -> Column:
        counts = rng.integers(low, high, n, endpoint=True)
        leaf = joined_words(words, rng, counts, "-")
        if separator == "-":
            return leaf
        values = pc.replace_substring(leaf.values, "-", separator)
        return text_leaf(values, leaf.plain, words.vocab.escapes)

    return make


def ip_v4(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """Four bytes in dotted decimal (IPv4Address of a random 32-bit int)."""
    arguments(kwargs)

    def make(rng: np.random.Generator, n: int) -> Column:
        pieces: list[Piece] = []
        for octet in range(4):
            pieces += ["."] if octet else []
            pieces.append(number_part(rng, 0, 255, n))
        return join(pieces)

    return make


def file_name(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    types = members(arguments(kwargs, file_type=None)["file_type"], FileType)
    extensions = pick("", *(f"datasets/EXTENSIONS/{t.value}" for t in types))
    names = pick("", "datasets/FILENAMES")
    return lambda rng, n: join(
        [picked_part(names, rng, n), picked_part(extensions, rng, n)]
    )


_UNITS = ("bytes", "kB", "MB", "GB", "TB")


def size(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'{randint(minimum, maximum)} {unit}'."""
    args = arguments(kwargs, minimum=1, maximum=100)
    low, high = integer(args["minimum"], "minimum"), integer(args["maximum"], "maximum")
    if low > high:
        raise Unsupported("minimum is over maximum")
    units = pick_of(_UNITS)
    return lambda rng, n: join(
        [number_part(rng, low, high, n), " ", picked_part(units, rng, n)]
    )


def masked(default: str) -> Builder:
    """code.pin / code.issn: a mask argument with this default."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        mask = text(arguments(kwargs, mask=default)["mask"], "mask")
        return lambda rng, n: mask_column(mask, rng, n)

    return build


def ean(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    formats = members(arguments(kwargs, fmt=None)["fmt"], EANFormat)
    masks = [EAN_MASKS[member.value] for member in formats]
    return lambda rng, n: masks_column(masks, rng, n)


def isbn(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    args = arguments(kwargs, fmt=None, locale=MimesisLocale.DEFAULT)
    group_of = members(args["locale"], MimesisLocale)[0].value
    if args["locale"] is None or group_of not in ISBN_GROUPS:
        raise Unsupported(f"no ISBN group for locale {args['locale']!r}")
    formats = members(args["fmt"], ISBNFormat)
    masks = [ISBN_MASKS[f.value].format(ISBN_GROUPS[group_of]) for f in formats]
    return lambda rng, n: masks_column(masks, rng, n)


def padded(low: int, high: int, width: int) -> Builder:
    """payment.cid / cvv: f'{randint(low, high):0{width}d}'."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        arguments(kwargs)
        return lambda rng, n: part_leaf(number_part(rng, low, high, n, width))

    return build


def expiration_date(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
    """'{month:02d}/{year}', the year minimum..maximum."""
    args = arguments(kwargs, minimum=16, maximum=25)
    low, high = integer(args["minimum"], "minimum"), integer(args["maximum"], "maximum")
    if low > high:
        raise Unsupported("minimum is over maximum")
    return lambda rng, n: join(
        [number_part(rng, 1, 12, n, 2), "/", number_part(rng, low, high, n)]
    )
