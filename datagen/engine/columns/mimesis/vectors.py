"""Mimesis methods a block at a time, from Mimesis's own data.

`vector_method('person.email', kwargs, locale)` gives the maker of n values
of that method called with those arguments (as the row engine passes them:
enum members for enum parameters), or the one-line reason it has none (the
field is then made per row by Mimesis). Each maker mirrors its Mimesis
method: the same locale data keys, gender and enum handling, masks and
formats, drawn from numpy instead of Python's random (so the values differ
from Mimesis's for a seed, their shapes and choices do not).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mimesis.enums import CountryCode, FileType, MimeType, TLDType

from datagen.engine.columns.mimesis import internet as internet
from datagen.engine.columns.mimesis import person as person
from datagen.engine.columns.mimesis import places as places
from datagen.engine.columns.mimesis import text as texts
from datagen.engine.columns.mimesis.args import Builder, Unsupported, VectorMaker
from datagen.engine.columns.mimesis.choices import by_enum, choices, constant, flagged
from datagen.engine.columns.mimesis.data import LOCALES, NoData
from datagen.engine.columns.mimesis.numbers import floats, integers

__all__ = ["TABLE", "VectorMaker", "vector_method"]


def _data(*names: str) -> dict[str, Builder]:
    """'provider.method=path' entries: a choice from the list at path."""
    table: dict[str, Builder] = {}
    for name in names:
        method, path = name.split("=")
        table[method] = choices(path)
    return table


_STATE = flagged("abbr", "address/state/abbr", "address/state/name")
_TLD = by_enum("tld_type", TLDType, TLDType.CCTLD, "datasets/TLD/{}")
_MIME = "datasets/MIME_TYPES/{}"

TABLE: dict[str, Builder] = {
    **_data(
        "person.gender=person/gender",
        "person.sex=person/gender",
        "person.occupation=person/occupation",
        "person.university=person/university",
        "person.academic_degree=person/academic_degree",
        "person.language=person/language",
        "person.blood_type=datasets/BLOOD_GROUPS",
        "person.gender_symbol=datasets/GENDER_SYMBOLS",
        "person.gender_code=datasets/GENDER_CODES",
        "address.city=address/city",
        "address.country=address/country/name",
        "address.street_name=address/street/name",
        "address.street_suffix=address/street/suffix",
        "address.calling_code=datasets/CALLING_CODES",
        "address.isd_code=datasets/CALLING_CODES",
        "address.iata_code=datasets/IATA_CODES",
        "address.icao_code=datasets/ICAO_CODES",
        "datetime.periodicity=datetime/periodicity",
        "datetime.gmt_offset=datasets/GMT_OFFSETS",
        "finance.company=finance/company/name",
        "finance.bank=finance/banks",
        "finance.cryptocurrency_iso_code=datasets/CRYPTOCURRENCY_ISO_CODES",
        "finance.cryptocurrency_symbol=datasets/CRYPTOCURRENCY_SYMBOLS",
        "finance.stock_ticker=datasets/STOCK_TICKERS",
        "finance.stock_name=datasets/STOCK_NAMES",
        "finance.stock_exchange=datasets/STOCK_EXCHANGES",
        "food.vegetable=food/vegetables",
        "food.fruit=food/fruits",
        "food.dish=food/dishes",
        "food.spices=food/spices",
        "food.drink=food/drinks",
        "text.word=text/words",
        "text.color=text/color",
        "text.level=text/level",
        "text.answer=text/answers",
        "text.quote=text/quotes",
        "development.programming_language=datasets/PROGRAMMING_LANGS",
        "development.os=datasets/OS",
        "development.software_license=datasets/LICENSES",
        "development.stage=datasets/STAGES",
        "development.system_quality_attribute=datasets/SYSTEM_QUALITY_ATTRIBUTES",
        "development.ility=datasets/SYSTEM_QUALITY_ATTRIBUTES",
        "hardware.resolution=datasets/RESOLUTIONS",
        "hardware.screen_size=datasets/SCREEN_SIZES",
        "hardware.cpu=datasets/CPU",
        "hardware.generation=datasets/GENERATION",
        "hardware.cpu_codename=datasets/CPU_CODENAMES",
        "hardware.ram_type=datasets/RAM_TYPES",
        "hardware.ram_size=datasets/RAM_SIZES",
        "hardware.ssd_or_hdd=datasets/HDD_SSD",
        "hardware.graphics=datasets/GRAPHICS",
        "hardware.manufacturer=datasets/MANUFACTURERS",
        "hardware.phone_model=datasets/PHONE_MODELS",
        "internet.http_status_message=datasets/HTTP_STATUS_MSGS",
        "internet.http_status_code=datasets/HTTP_STATUS_CODES",
        "internet.http_method=datasets/HTTP_METHODS",
        "internet.user_agent=datasets/USER_AGENTS",
        "internet.public_dns=datasets/PUBLIC_DNS",
        "code.locale_code=datasets/LOCALE_CODES",
        "payment.credit_card_network=datasets/CREDIT_CARD_NETWORKS",
        "transport.manufacturer=datasets/AUTO_MANUFACTURERS",
        "transport.car=datasets/CARS",
        "transport.airplane=datasets/AIRPLANES",
    ),
    "person.name": person.names,
    "person.first_name": person.names,
    "person.surname": person.surnames,
    "person.last_name": person.surnames,
    "person.nationality": person.nationality,
    "person.full_name": person.full_name,
    "person.title": person.title,
    "person.patronymic": person.patronymic,
    "person.email": person.email,
    "person.username": person.username,
    "person.telephone": person.telephone,
    "person.phone_number": person.telephone,
    "person.identifier": person.identifier,
    "person.height": person.height,
    "person.weight": person.weight,
    "address.address": places.address,
    "address.street_number": places.street_number,
    "address.postal_code": places.postal_code,
    "address.zip_code": places.postal_code,
    "address.secondary_address": places.secondary_address,
    "address.state": _STATE,
    "address.region": _STATE,
    "address.province": _STATE,
    "address.federal_subject": _STATE,
    "address.prefecture": _STATE,
    "address.continent": flagged(
        "code", "datasets/CONTINENT_CODES", "address/continent"
    ),
    "address.country_code": by_enum(
        "code", CountryCode, CountryCode.A2, "datasets/COUNTRY_CODES/{}"
    ),
    "address.default_country": constant("address/country/current_locale"),
    "address.country_emoji_flag": places.country_emoji_flag,
    "address.latitude": places.latitude,
    "address.longitude": places.longitude,
    "address.coordinates": places.coordinates,
    "datetime.day_of_week": flagged("abbr", "datetime/day/abbr", "datetime/day/name"),
    "datetime.month": flagged("abbr", "datetime/month/abbr", "datetime/month/name"),
    "datetime.timezone": places.timezone,
    "datetime.week_date": places.week_date,
    "datetime.year": integers("minimum", 1990, "maximum", datetime.now().year),
    "datetime.day_of_month": integers("", 1, "", 31),
    "finance.company_type": flagged(
        "abbr", "finance/company/type/abbr", "finance/company/type/title"
    ),
    "finance.currency_iso_code": places.currency_iso_code,
    "finance.currency_symbol": places.currency_symbol,
    "finance.price": places.price,
    "finance.price_in_btc": places.price_in_btc,
    "text.words": texts.words,
    "text.text": texts.text,
    "text.sentence": texts.sentence,
    "text.title": texts.sentence,
    "text.alphabet": texts.alphabet,
    "text.emoji": texts.emoji,
    "text.hex_color": texts.hex_color,
    "development.boolean": texts.boolean,
    "development.version": texts.version,
    "development.calver": texts.calver,
    "hardware.cpu_frequency": texts.cpu_frequency,
    "science.dna_sequence": texts.sequence("TCGA"),
    "science.rna_sequence": texts.sequence("UCGA"),
    "transport.vehicle_registration_code": texts.vehicle_registration_code,
    "internet.hostname": internet.hostname,
    "internet.url": internet.url,
    "internet.top_level_domain": _TLD,
    "internet.tld": _TLD,
    "internet.content_type": by_enum("mime_type", MimeType, None, _MIME),
    "internet.port": internet.port,
    "internet.slug": internet.slug,
    "internet.path": internet.path,
    "internet.ip_v4": internet.ip_v4,
    "file.extension": by_enum("file_type", FileType, None, "datasets/EXTENSIONS/{}"),
    "file.mime_type": by_enum("type_", MimeType, None, _MIME),
    "file.file_name": internet.file_name,
    "file.size": internet.size,
    "code.pin": internet.masked("####"),
    "code.issn": internet.masked("####-####"),
    "code.ean": internet.ean,
    "code.isbn": internet.isbn,
    "payment.cid": internet.padded(1, 9999, 4),
    "payment.cvv": internet.padded(1, 999, 3),
    "payment.credit_card_expiration_date": internet.expiration_date,
    "numeric.integer_number": integers("start", -1000, "end", 1000),
    "numeric.float_number": floats("start", -1000.0, "end", 1000.0, 15),
}


def vector_method(
    name: str, kwargs: Mapping[str, Any], locale: str
) -> VectorMaker | str:
    """The maker of n values of Mimesis method name ('person.email') called
    with kwargs in locale, or why there is none (one line)."""
    builder = TABLE.get(name)
    if builder is None:
        return f"{name}: no vectorised form"
    if locale not in LOCALES:
        return f"{name}: unknown locale {locale!r}"
    try:
        return builder(kwargs, locale)
    except (Unsupported, NoData, ValueError) as exc:
        lines = str(exc).splitlines()
        return f"{name}: {lines[0] if lines else type(exc).__name__}"
