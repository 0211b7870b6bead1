"""Mimesis methods a block at a time: the values come from the lists Mimesis
itself draws from (read through Mimesis's own providers, for several
locales), in the shapes Mimesis gives (each checked against Mimesis's own
output), by the same arguments; what has no vectorised form says why."""

from __future__ import annotations

import inspect
import re
import string
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import mimesis.datasets
import numpy as np
import orjson
import pytest
from mimesis import Field, Generic
from mimesis.enums import CountryCode, Gender, TitleType, TLDType
from mimesis.locales import Locale

from datagen.engine.columns.block import Column, Constant, Leaf, ListOf, to_arrow
from datagen.engine.columns.values import is_plain_text
from datagen.engine.columns.mimesis.vectors import TABLE, vector_method

LOCALES = ["en", "de", "ru", "ja", "de-at", "pt-br", "uk"]
N = 3000


@cache
def generic(locale: str) -> Generic:
    return Generic(Locale(locale), seed=1)


def data(locale: str, provider: str, *keys: str) -> Any:
    """What Mimesis's own provider holds under keys (its merged dataset)."""
    found: Any = getattr(generic(locale), provider)._dataset
    for key in keys:
        found = found[key]
    return found


def mimesis_values(name: str, locale: str, count: int = 60, **kwargs: Any) -> list[Any]:
    """count values of Mimesis's method, as the row engine calls it."""
    method = Field(Locale(locale), seed=5)._lookup_method(name)
    return [method(**kwargs) for _ in range(count)]


def made(
    name: str, locale: str = "en", n: int = N, seed: int = 1, **kwargs: Any
) -> Column:
    maker = vector_method(name, kwargs, locale)
    assert not isinstance(maker, str), maker
    column = maker(np.random.default_rng(seed), n)
    assert len(column) == n
    return column


def values(name: str, locale: str = "en", n: int = N, **kwargs: Any) -> list[Any]:
    column = made(name, locale, n, **kwargs)
    found: list[Any] = to_arrow(column).to_pylist()
    return found


#: A method choosing from one list, and where Mimesis keeps that list.
CHOICES: dict[str, Callable[[str], Any]] = {
    "person.gender": lambda loc: data(loc, "person", "gender"),
    "person.occupation": lambda loc: data(loc, "person", "occupation"),
    "person.university": lambda loc: data(loc, "person", "university"),
    "person.academic_degree": lambda loc: data(loc, "person", "academic_degree"),
    "person.language": lambda loc: data(loc, "person", "language"),
    "person.blood_type": lambda loc: mimesis.datasets.BLOOD_GROUPS,
    "address.city": lambda loc: data(loc, "address", "city"),
    "address.country": lambda loc: data(loc, "address", "country", "name"),
    "address.state": lambda loc: data(loc, "address", "state", "name"),
    "address.street_name": lambda loc: data(loc, "address", "street", "name"),
    "address.street_suffix": lambda loc: data(loc, "address", "street", "suffix"),
    "address.continent": lambda loc: data(loc, "address", "continent"),
    "address.calling_code": lambda loc: mimesis.datasets.CALLING_CODES,
    "address.country_code": lambda loc: mimesis.datasets.COUNTRY_CODES["a2"],
    "datetime.day_of_week": lambda loc: data(loc, "datetime", "day", "name"),
    "datetime.month": lambda loc: data(loc, "datetime", "month", "name"),
    "datetime.periodicity": lambda loc: data(loc, "datetime", "periodicity"),
    "finance.company": lambda loc: data(loc, "finance", "company", "name"),
    "finance.company_type": lambda loc: data(
        loc, "finance", "company", "type", "title"
    ),
    "finance.bank": lambda loc: data(loc, "finance", "banks"),
    "food.dish": lambda loc: data(loc, "food", "dishes"),
    "food.drink": lambda loc: data(loc, "food", "drinks"),
    "food.fruit": lambda loc: data(loc, "food", "fruits"),
    "food.spices": lambda loc: data(loc, "food", "spices"),
    "food.vegetable": lambda loc: data(loc, "food", "vegetables"),
    "text.word": lambda loc: data(loc, "text", "words"),
    "text.color": lambda loc: data(loc, "text", "color"),
    "text.level": lambda loc: data(loc, "text", "level"),
    "text.answer": lambda loc: data(loc, "text", "answers"),
    "text.quote": lambda loc: data(loc, "text", "quotes"),
    "development.programming_language": lambda loc: mimesis.datasets.PROGRAMMING_LANGS,
    "development.os": lambda loc: mimesis.datasets.OS,
    "hardware.cpu": lambda loc: mimesis.datasets.CPU,
    "internet.http_method": lambda loc: mimesis.datasets.HTTP_METHODS,
    "internet.top_level_domain": lambda loc: mimesis.datasets.TLD["cctld"],
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(CHOICES))
def test_choices_come_from_mimesis_lists(name: str, locale: str) -> None:
    listed = set(CHOICES[name](locale))
    assert set(mimesis_values(name, locale)) <= listed  # the table is Mimesis's
    ours = values(name, locale)
    assert set(ours) <= listed
    assert len(set(ours)) >= min(len(listed), 30) * 0.8


@pytest.mark.parametrize("locale", LOCALES)
def test_names_by_gender(locale: str) -> None:
    names = data(locale, "person", "names")
    for gender in Gender:
        chosen = set(values("person.first_name", locale, gender=gender))
        assert chosen <= set(names[gender.value])
        assert len(chosen) > min(len(names[gender.value]), 40) * 0.8
    both = set(values("person.name", locale))
    assert both <= set(names["male"]) | set(names["female"])
    assert both & (set(names["male"]) - set(names["female"]))
    assert both & (set(names["female"]) - set(names["male"]))


@pytest.mark.parametrize("locale", LOCALES)
def test_surnames_split_by_gender_where_the_locale_does(locale: str) -> None:
    surnames = data(locale, "person", "surnames")
    female = set(values("person.last_name", locale, gender=Gender.FEMALE))
    if isinstance(surnames, dict):
        assert female <= set(surnames["female"])
        male_only = set(surnames["male"]) - set(surnames["female"])
        anyone = set(values("person.surname", locale))
        assert anyone & male_only or not male_only
    else:
        assert female <= set(surnames)


def test_a_gender_picked_per_row_not_per_word() -> None:
    """Mimesis draws a gender, then a name: a male name comes about half the
    time however many more female names the locale has."""
    names = data("en", "person", "names")
    only_male = set(names["male"]) - set(names["female"])
    chosen = values("person.first_name", "en", n=20_000)
    share = sum(name in only_male for name in chosen) / len(chosen)
    assert len(names["female"]) > 1.5 * len(names["male"])
    assert 0.4 < share < 0.52


@pytest.mark.parametrize("locale", ["en", "ru", "hr"])
def test_titles_by_gender_and_type(locale: str) -> None:
    titles = data(locale, "person", "title")
    for gender in Gender:
        for kind in TitleType:
            chosen = values("person.title", locale, gender=gender, title_type=kind)
            assert set(chosen) == set(titles[gender.value][kind.value])
    every = {t for by_kind in titles.values() for ts in by_kind.values() for t in ts}
    assert set(values("person.title", locale)) == every


@pytest.mark.parametrize("locale", ["en", "ru", "uk"])
def test_full_name_and_reverse(locale: str) -> None:
    names, surnames = data(locale, "person", "names"), data(
        locale, "person", "surnames"
    )
    female = set(names["female"])
    last = set(surnames["female"] if isinstance(surnames, dict) else surnames)

    def split(value: str, first: set[str], second: set[str]) -> bool:
        cuts = [i for i, c in enumerate(value) if c == " "]
        return any(value[:i] in first and value[i + 1 :] in second for i in cuts)

    plain = values("person.full_name", locale, gender=Gender.FEMALE)
    assert all(split(value, female, last) for value in plain)
    turned = values("person.full_name", locale, gender=Gender.FEMALE, reverse=True)
    assert all(split(value, last, female) for value in turned)
    assert all(
        split(value, female, last)
        for value in mimesis_values("person.full_name", locale, gender=Gender.FEMALE)
    )


def test_patronymic_where_the_locale_has_them() -> None:
    assert set(values("person.patronymic", "ru", gender=Gender.MALE)) <= set(
        data("ru", "person", "patronymic", "male")
    )
    column = made("person.patronymic", "en")
    assert isinstance(column, Constant) and column.value is None


EMAIL = re.compile(r"([a-z]+)(\d{4})(@[a-z0-9.]+)")


def test_email_is_built_as_mimesis_builds_it() -> None:
    domains = set(mimesis.datasets.EMAIL_DOMAINS)
    for value in [*values("person.email"), *mimesis_values("person.email", "en")]:
        found = EMAIL.fullmatch(value)
        assert found, value
        word, year, domain = found.groups()
        assert word in mimesis.datasets.USERNAMES
        assert 1800 <= int(year) <= 2100 and domain in domains
    column = made("person.email")
    assert isinstance(column, Leaf) and column.plain


def test_email_domains_given() -> None:
    chosen = values("person.email", domains=["example.com", "@corp.test"])
    assert {value.split("@")[1] for value in chosen} == {"example.com", "corp.test"}
    many = [f"d{i}.org" for i in range(400)]  # past one vocabulary of endings
    found = values("person.email", domains=many)
    assert all(EMAIL.fullmatch(value) for value in found)
    odd = made("person.email", n=50, domains=['q"uote.com'])
    assert isinstance(odd, Leaf) and not odd.plain
    assert odd.json is not None
    assert odd.json.to_pylist() == [
        orjson.dumps(v).decode() for v in odd.values.to_pylist()
    ]


@pytest.mark.parametrize(
    "mask, shape",
    [
        (None, r"[a-z]+_\d{4}"),
        ("C.U-l_d", r"[A-Z][a-z]*\.[A-Z]+-[a-z]+_\d{4}"),
        ("ld", r"[a-z]+\d{4}"),
        ("Cx", r"[A-Z][a-z]*"),  # characters other than the tags are dropped
    ],
)
def test_username_masks(mask: str | None, shape: str) -> None:
    ours = values("person.username", mask=mask)
    theirs = mimesis_values("person.username", "en", mask=mask)
    assert all(re.fullmatch(shape, value) for value in ours + theirs)
    years = values("person.username", mask="d_l", drange=[5, 7])
    assert {value.split("_")[0] for value in years} == {"5", "6", "7"}


@pytest.mark.parametrize("locale", LOCALES + ["en-gb", "kk", "zh"])
def test_telephone_takes_the_locales_formats(locale: str) -> None:
    formats = {
        re.sub(r"\d", "#", fmt) for fmt in data(locale, "person", "telephone_fmt")
    }
    for value in values("person.telephone", locale) + mimesis_values(
        "person.telephone", locale
    ):
        assert re.sub(r"\d", "#", value) in formats
    unmasked = values("person.telephone", locale, n=100, mask=None)
    assert all(re.sub(r"\d", "#", value) in formats for value in unmasked)


def test_telephone_mask_placeholder_and_e164() -> None:
    assert all(
        re.fullmatch(r"07\d{9}", v)
        for v in values("person.telephone", mask="07#########")
    )
    ours = values("person.telephone", mask="+1 (XXX) @##", placeholder="X")
    theirs = mimesis_values(
        "person.telephone", "en", mask="+1 (XXX) @##", placeholder="X"
    )
    assert all(re.fullmatch(r"\+1 \(\d{3}\) [A-Z]##", v) for v in ours + theirs)
    e164 = values("person.phone_number", "ru", e164=True)
    theirs = mimesis_values("person.phone_number", "ru", e164=True)
    assert all(re.fullmatch(r"\+7\d{10}", v) for v in e164 + theirs)


def test_identifier_masks() -> None:
    mask = "@@###@@@#@###@"
    shape = r"[A-Z]{2}\d{3}[A-Z]{3}\d[A-Z]\d{3}[A-Z]"
    theirs = mimesis_values("person.identifier", "en", mask=mask)
    assert all(
        re.fullmatch(shape, v) for v in values("person.identifier", mask=mask) + theirs
    )
    assert all(re.fullmatch(r"\d\d-\d\d/\d\d", v) for v in values("person.identifier"))


def fmt_pattern(fmt: str, fields: dict[str, str]) -> re.Pattern[str]:
    """A regex of a str.format template, each field's pattern given."""
    parts, position = [], 0
    for literal, name, _, _ in string.Formatter().parse(fmt):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(fields[name or str(position)])
            position += name == ""
    return re.compile("".join(parts))


@pytest.mark.parametrize("locale", ["en", "de", "ru", "ja", "es", "zh"])
def test_address_fills_the_locales_format(locale: str) -> None:
    def one_of(words: list[str]) -> str:
        return (
            "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len)[::-1]) + ")"
        )

    street = data(locale, "address", "street")
    fields = {
        "st_num": r"\d+",
        "st_name": one_of(street["name"]),
        "st_sfx": one_of(street["suffix"]),
        "0": one_of(data(locale, "address", "city")),
        "1": r"\d+",
        "2": r"\d+",
        "3": r"\d+",
    }
    shape = fmt_pattern(data(locale, "address", "address_fmt"), fields)
    for value in values("address.address", locale, n=500) + mimesis_values(
        "address.address", locale
    ):
        assert shape.fullmatch(value), value


@pytest.mark.parametrize("locale", ["en", "en-gb", "en-ca", "nl", "ja", "pt-br"])
def test_postal_codes_by_the_locales_mask(locale: str) -> None:
    mask = data(locale, "address", "postal_code_fmt")
    shape = "".join(
        "[A-Z]" if c == "@" else r"\d" if c == "#" else re.escape(c) for c in mask
    )
    for value in values("address.zip_code", locale) + mimesis_values(
        "address.postal_code", locale
    ):
        assert re.fullmatch(shape, value), value


def test_words_and_text() -> None:
    column = made("text.words", "de", n=100, quantity=3)
    assert isinstance(column, ListOf)
    assert list(np.diff(column.offsets)) == [3] * 100
    assert set(to_arrow(column.items).to_pylist()) <= set(data("de", "text", "words"))
    sentences = set(data("en", "text", "text"))
    for value in values("text.sentence", n=200):
        assert value in sentences


def test_enum_arguments_pick_their_lists() -> None:
    a3 = values("address.country_code", code=CountryCode.A3)
    assert set(a3) <= set(mimesis.datasets.COUNTRY_CODES["a3"])
    anyone = set(values("address.country_code", code=None))
    assert anyone & set(mimesis.datasets.COUNTRY_CODES["numeric"])
    gtld = values("internet.tld", tld_type=TLDType.GTLD)
    assert set(gtld) <= set(mimesis.datasets.TLD["gtld"])
    assert set(values("address.state", "de", abbr=True)) == set(
        data("de", "address", "state", "abbr")
    )


def test_numbers() -> None:
    ages = values("person.weight", minimum=20, maximum=22)
    assert set(ages) == {20, 21, 22}
    heights = values("person.height", minimum=1.0, maximum=1.1)
    assert all(re.fullmatch(r"1\.(0\d|10)", h) for h in heights)
    assert all(
        re.fullmatch(r"\d\.\d\d", h) for h in mimesis_values("person.height", "en")
    )


@pytest.mark.parametrize("locale", ["en", "ru", "pt-br"])
def test_types_match_mimesis(locale: str) -> None:
    """Every method without arguments gives values of the Python type
    Mimesis's own gives."""
    for name in sorted(TABLE):
        maker = vector_method(name, {}, locale)
        if isinstance(maker, str):
            continue
        theirs = mimesis_values(name, locale, count=1)[0]
        ours = to_arrow(maker(np.random.default_rng(0), 5)).to_pylist()[0]
        assert type(ours) is type(theirs), name


@pytest.mark.parametrize("locale", ["en", "ru", "pt-br", "de", "hr", "uk"])
def test_plain_and_json_are_honest(locale: str) -> None:
    """plain only when no value needs escaping or quoting; json the values'
    JSON texts."""
    for name in sorted(TABLE):
        maker = vector_method(name, {}, locale)
        if isinstance(maker, str):
            continue
        column = maker(np.random.default_rng(0), 2000)
        if isinstance(column, ListOf):
            column = column.items
        if not isinstance(column, Leaf):
            continue
        found = column.values.to_pylist()
        if column.plain:
            assert all(isinstance(v, str) and is_plain_text(v) for v in found), name
        if column.json is not None:
            texts = [orjson.dumps(v).decode() for v in found]
            assert column.json.to_pylist() == texts, name
    company = made("finance.company", "ru", n=5000)
    assert isinstance(company, Leaf) and not company.plain  # 'ГК "Электрозавод"'


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("person.email", {}),
        ("person.full_name", {"gender": Gender.MALE}),
        ("person.telephone", {}),
        ("address.address", {}),
        ("person.username", {"mask": "U_d"}),
    ],
)
def test_same_seed_same_values(name: str, kwargs: dict[str, Any]) -> None:
    first = made(name, "de", 300, 11, **kwargs)
    again = made(name, "de", 300, 11, **kwargs)
    other = made(name, "de", 300, 12, **kwargs)
    assert to_arrow(first).equals(to_arrow(again))
    assert not to_arrow(first).equals(to_arrow(other))


@pytest.mark.parametrize(
    "name, kwargs, locale, reason",
    [
        ("person.password", {}, "en", "person.password: no vectorised form"),
        ("person.email", {"unique": True}, "en", "unique"),
        ("person.first_name", {"gender": "alien"}, "en", "is not a Gender"),
        ("person.first_name", {"sex": Gender.MALE}, "en", "argument 'sex'"),
        ("person.username", {"mask": "d.d"}, "en", "none of C, U, l"),
        ("person.telephone", {"placeholder": "@"}, "en", "same placeholder"),
        ("person.telephone", {"mask": 5}, "en", "is not text"),
        ("person.email", {}, "xx", "unknown locale"),
        ("internet.tld", {"tld_type": "gtld"}, "en", "is not a TLDType"),
        ("person.weight", {"minimum": 9, "maximum": 2}, "en", "minimum is over"),
        ("finance.price", {"as_decimal": True}, "en", "as_decimal"),
        ("nosuch.method", {}, "en", "no vectorised form"),
    ],
)
def test_no_vectorised_form_says_why(
    name: str, kwargs: dict[str, Any], locale: str, reason: str
) -> None:
    found = vector_method(name, kwargs, locale)
    assert isinstance(found, str) and reason in found and "\n" not in found


def test_timing_of_the_starfleet_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """Printed, not asserted: 1M values of each field the benchmark makes,
    in blocks of 50,000."""
    fields = [
        ("person.email", {}),
        ("person.telephone", {"mask": "07#########"}),
        ("person.last_name", {}),
        ("person.first_name", {}),
        ("person.title", {}),
        ("person.identifier", {"mask": "@@###@@@#@###@"}),
    ]
    for name, kwargs in fields:
        maker = vector_method(name, kwargs, "en")
        assert not isinstance(maker, str)
        rng = np.random.default_rng(0)
        maker(rng, 10)
        started = time.perf_counter()
        for _ in range(20):
            maker(rng, 50_000)
        took = time.perf_counter() - started
        with capsys.disabled():  # shown in every run, not only with -s
            print(f"\n1M x {name} {kwargs}: {took:.3f} s", end="")


ODD = [None, 5, -1, 1.5, "x", "", True, [], [1, 2], {"a": 1}, Gender.MALE, "@"]


def test_odd_arguments_give_reasons_not_errors() -> None:
    """Whatever the arguments, vector_method answers (a maker or a reason)
    and a maker makes."""
    for name in sorted(TABLE):
        provider, _, method = name.partition(".")
        function = getattr(type(getattr(generic("en"), provider)), method)
        names = [p for p in inspect.signature(function).parameters if p != "self"]
        for parameter in [p for p in names if p not in ("args", "kwargs")] or ["mask"]:
            for value in ODD:
                maker = vector_method(name, {parameter: value}, "en")
                if not isinstance(maker, str):
                    assert len(maker(np.random.default_rng(0), 3)) == 3
