"""A postal address whose street, city, postcode and country agree.

Mimesis' `address.country_code` draws any country in the world, while the
street, city and postcode come from the provider's locale (a US city and ZIP
code in country "IO"). Here every part comes from one locale, and the country
code is that locale's own country.
"""

from __future__ import annotations

from mimesis import Field

from datagen.documents import to_locale

#: The country (ISO 3166-1 alpha-2) whose addresses each Mimesis locale writes.
LOCALE_COUNTRIES = {
    "ar-ae": "AE",
    "ar-dz": "DZ",
    "ar-eg": "EG",
    "ar-jo": "JO",
    "ar-om": "OM",
    "ar-kw": "KW",
    "ar-ma": "MA",
    "ar-qa": "QA",
    "ar-sa": "SA",
    "ar-sy": "SY",
    "ar-tn": "TN",
    "ar-ye": "YE",
    "az": "AZ",
    "cs": "CZ",
    "da": "DK",
    "de": "DE",
    "de-at": "AT",
    "de-ch": "CH",
    "el": "GR",
    "en": "US",
    "en-au": "AU",
    "en-ca": "CA",
    "en-gb": "GB",
    "es": "ES",
    "es-mx": "MX",
    "et": "EE",
    "fa": "IR",
    "fi": "FI",
    "fr": "FR",
    "hu": "HU",
    "hr": "HR",
    "is": "IS",
    "it": "IT",
    "ja": "JP",
    "kk": "KZ",
    "ko": "KR",
    "nl": "NL",
    "nl-be": "BE",
    "no": "NO",
    "pl": "PL",
    "pt": "PT",
    "pt-br": "BR",
    "ru": "RU",
    "sk": "SK",
    "sv": "SE",
    "tr": "TR",
    "uk": "UA",
    "zh": "CN",
}


def country_of(locale: str) -> str:
    """The ISO country code of locale's addresses ("en" is "US")."""
    return LOCALE_COUNTRIES[to_locale(locale).value]


def postal_address(_: Field, locale: str) -> dict[str, str]:
    """street, city, postcode (in the country's own format) and country_code,
    all of locale's country."""
    return {
        "street": _("address.address"),
        "city": _("address.city"),
        "postcode": _("address.postal_code"),
        "country_code": country_of(locale),
    }
