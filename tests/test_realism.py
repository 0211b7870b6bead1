"""Output a reader would call wrong: CSV booleans, blood groups, addresses."""

from __future__ import annotations

import csv
import io
import re

import pytest
from mimesis import Address

from datagen.documents import LOCALES, create_provider
from datagen.encoders import CsvEncoder
from datagen.engine.profiles import create_profiles
from document_providers._address import LOCALE_COUNTRIES, country_of

BLOOD_GROUPS = {"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}
ADDRESS_PROVIDERS = ("customer", "shipment")


def postcode_pattern(locale: str) -> re.Pattern[str]:
    """The locale's postcode format as a regex: '#' a digit, '@' a capital."""
    mask = Address(locale)._extract(["postal_code_fmt"])
    parts = {"#": r"\d", "@": "[A-Z]"}
    return re.compile("".join(parts.get(c, re.escape(c)) for c in mask) + "$")


def test_csv_writes_booleans_as_true_and_false() -> None:
    encoder = CsvEncoder.for_sample({"yes": True, "no": False, "one": 1, "zero": 0})
    body = encoder.encode_many([{"yes": True, "no": False, "one": 1, "zero": 0}])
    assert encoder.header() == b"yes,no,one,zero\n"
    assert body == b"true,false,1,0\n"


def test_csv_booleans_in_nested_fields_and_from_the_cli(invoke, out, seed) -> None:
    invoke(
        "document",
        "-p",
        "customer",
        "-q",
        60,
        "--format",
        "csv",
        "--seed",
        seed,
        "-o",
        out / "c.csv",
    )
    rows = list(csv.DictReader(io.StringIO((out / "c.csv").read_text())))
    assert {row["marketing_opt_in"] for row in rows} == {"true", "false"}


def test_blood_groups_are_ascii() -> None:
    groups = [profile["blood_group"] for profile in create_profiles(11, 2000)]
    assert set(groups) == BLOOD_GROUPS  # every group occurs, none with U+2212
    assert all(group.isascii() for group in groups)


@pytest.mark.parametrize("provider", ADDRESS_PROVIDERS)
def test_us_addresses_are_in_the_us_with_five_digit_postcodes(provider) -> None:
    cities = set(Address("en")._extract(["city"]))
    for document in create_provider(provider, "en", seed=5).generate_many(300):
        address = document["address"]
        assert address["country_code"] == "US", address
        assert re.fullmatch(r"\d{5}", address["postcode"]), address
        assert address["city"] in cities, address


@pytest.mark.parametrize("provider", ADDRESS_PROVIDERS)
@pytest.mark.parametrize("locale", ["en-gb", "de", "fr", "ja", "pt-br", "nl", "pl"])
def test_city_postcode_and_country_come_from_one_locale(provider, locale) -> None:
    cities = set(Address(locale)._extract(["city"]))
    pattern = postcode_pattern(locale)
    for document in create_provider(provider, locale, seed=9).generate_many(100):
        address = document["address"]
        assert address["country_code"] == country_of(locale), address
        assert pattern.match(address["postcode"]), (locale, address)
        assert address["city"] in cities, address


def test_every_locale_has_a_country() -> None:
    assert set(LOCALE_COUNTRIES) == set(LOCALES)
    assert all(re.fullmatch("[A-Z]{2}", code) for code in LOCALE_COUNTRIES.values())
    assert country_of("en") == "US" and country_of("en-gb") == "GB"


def test_profile_addresses_use_the_locales_postcode_format() -> None:
    pattern = postcode_pattern("en-gb")
    profiles = create_profiles(3, 200, locale="en-gb")
    for profile in profiles:
        for suffix in "12":
            assert pattern.match(profile[f"postcode{suffix}"]), profile
    assert all(re.fullmatch(r"\d{5}", p["postcode1"]) for p in create_profiles(3, 200))
