"""Mimesis's masks a block at a time: the widths, character classes and
literal bytes Mimesis's generate_string_by_mask gives, plain told honestly."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import orjson
import pytest
from mimesis.random import Random

from datagen.engine.columns.mimesis.masks import (
    alphabet_column,
    e164_mask,
    mask_column,
    masks_column,
)

N = 2000


def rng(seed: int = 7) -> np.random.Generator:
    return np.random.default_rng(seed)


def pattern(mask: str, char: str = "@", digit: str = "#") -> re.Pattern[str]:
    """The regex of what a mask gives: letters, digits, literal characters."""
    parts = []
    for c in mask:
        parts.append("[A-Z]" if c == char else "[0-9]" if c == digit else re.escape(c))
    return re.compile("".join(parts))


@pytest.mark.parametrize(
    "mask, char, digit",
    [
        ("@@###@@@#@###@", "@", "#"),
        ("07#########", "@", "#"),
        ("##-##/##", "@", "#"),
        ("+7-(96#)-###-##-##", "@", "#"),
        ("AB-XX-99-xx", "X", "x"),  # other placeholders; '9' stays a literal
        ("№ ###-@ Straße", "@", "#"),  # non-ASCII literals kept as bytes
        ("@", "@", "#"),
    ],
)
def test_mask_gives_mimesis_shapes(mask: str, char: str, digit: str) -> None:
    leaf = mask_column(mask, rng(), N, char, digit)
    values = leaf.values.to_pylist()
    shape = pattern(mask, char, digit)
    assert len(values) == N
    assert all(shape.fullmatch(value) for value in values)
    assert {len(value.encode()) for value in values} == {len(mask.encode())}
    mimesis = Random(1)
    assert all(
        shape.fullmatch(mimesis.generate_string_by_mask(mask, char, digit))
        for _ in range(200)
    )
    assert leaf.plain


def test_every_letter_and_digit_comes_evenly() -> None:
    values = mask_column("@#", rng(), 52_000).values.to_pylist()
    letters = Counter(value[0] for value in values)
    digits = Counter(value[1] for value in values)
    assert set(letters) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert set(digits) == set("0123456789")
    assert max(letters.values()) < 2300 and min(letters.values()) > 1700
    assert max(digits.values()) < 5600 and min(digits.values()) > 4400


def test_positions_are_independent() -> None:
    """Chunks of four from one table: each position still varies alone."""
    values = mask_column("########", rng(), 20_000).values.to_pylist()
    pairs = Counter((value[0], value[5]) for value in values)
    assert len(pairs) == 100
    assert len(set(values)) > 19_900


def test_same_seed_same_values_other_seed_others() -> None:
    mask = "@@###@@@#@###@"
    first = mask_column(mask, rng(3), 500).values
    assert first.equals(mask_column(mask, rng(3), 500).values)
    assert not first.equals(mask_column(mask, rng(4), 500).values)


@pytest.mark.parametrize("mask", ['"##"', "##,##", "a\\#", "#\t#"])
def test_literals_needing_escapes_are_not_plain(mask: str) -> None:
    leaf = mask_column(mask, rng(), 50)
    assert not leaf.plain
    assert leaf.json is not None
    expected = [orjson.dumps(value).decode() for value in leaf.values.to_pylist()]
    assert leaf.json.to_pylist() == expected


def test_empty_mask_and_no_rows() -> None:
    assert mask_column("", rng(), 3).values.to_pylist() == ["", "", ""]
    assert mask_column("##", rng(), 0).values.to_pylist() == []


@pytest.mark.parametrize(
    "char, digit", [("#", "#"), ("@@", "#"), ("@", ""), ("é", "#")]
)
def test_bad_placeholders_raise(char: str, digit: str) -> None:
    with pytest.raises(ValueError):
        mask_column("@#", rng(), 3, char, digit)


def test_masks_of_several_widths() -> None:
    masks = ["+44 ## #### ####", "01#### #####", "(0##) ###", "###", "+44 ## #### ####"]
    leaf = masks_column(masks, rng(), 5000)
    values = leaf.values.to_pylist()
    shapes = [pattern(mask) for mask in set(masks)]
    assert all(any(shape.fullmatch(value) for shape in shapes) for value in values)
    used = Counter(
        next(mask for mask in set(masks) if pattern(mask).fullmatch(value))
        for value in values
    )
    assert set(used) == set(masks)
    assert used["+44 ## #### ####"] > 1.5 * used["###"]  # listed twice, as in Mimesis
    assert leaf.plain


def test_masks_not_plain_get_json() -> None:
    leaf = masks_column(['"#"', "#,#"], rng(), 100)
    assert not leaf.plain and leaf.json is not None
    expected = [orjson.dumps(value).decode() for value in leaf.values.to_pylist()]
    assert leaf.json.to_pylist() == expected


@pytest.mark.parametrize(
    "mask, expected",
    [
        ("+7-(96#)-###-##-##", "+796########"),
        ("(0##) @#", "+0###"),
        ("07#########", "+07#########"),
    ],
)
def test_e164_masks_keep_what_ends_digits(mask: str, expected: str) -> None:
    assert e164_mask(mask) == expected
    filled = Random(2).generate_string_by_mask(mask)
    mimesis = "+" + "".join(c for c in filled if c.isdigit())
    assert pattern(expected).fullmatch(mimesis)


def test_alphabet_column() -> None:
    values = alphabet_column("0123456789abcdef", 6, rng(), 3000, "#").values.to_pylist()
    assert all(re.fullmatch("#[0-9a-f]{6}", value) for value in values)
    assert set("".join(values)) == set("#0123456789abcdef")
    dna = alphabet_column("TCGA", 10, rng(), 100).values.to_pylist()
    assert all(re.fullmatch("[TCGA]{10}", value) for value in dna)
