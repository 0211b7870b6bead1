"""Profiles: the people actors play, made fast with Mimesis in seeded blocks,
loaded from and saved to a JSON file."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from string import ascii_uppercase
from typing import Any, overload

import orjson
from mimesis import Address, Finance, Person
from mimesis.datasets import EMAIL_DOMAINS
from mimesis.enums import Gender, TitleType

from datagen.files.atomic import write_atomic
from datagen.documents import to_locale
from datagen.engine.actors import Profile
from datagen.timefmt import DEFAULT_START
from datagen.errors import ConfigError
from datagen.seeding import derive_seed, random_uuid

#: Profiles per seeded block: profile i depends on (seed, i // PROFILE_BLOCK) only.
PROFILE_BLOCK = 1000
#: The fields every created profile has, in order (faker-events' data points).
PROFILE_FIELDS = (
    "id uuid username gender first_name last_name prefix_name suffix_name "
    "birthdate blood_group email employer job "
    "full_address1 building_number1 street_name1 street_suffix1 state1 postcode1 "
    "city1 phone1 full_address2 building_number2 street_name2 street_suffix2 "
    "state2 postcode2 city2 phone2 driver_license license_plate"
).split()
_OLDEST, _YOUNGEST = 80, 18
#: Mimesis writes blood groups with U+2212 ("A\u2212"); profiles use ASCII "A-",
#: what people type and other tools compare against.
_MINUS_SIGN = "\u2212"


class _Makers:
    """One locale's Mimesis providers, reseeded for each block."""

    def __init__(self, locale: str) -> None:
        code = to_locale(locale)
        self.person = Person(code)
        self.address = Address(code)
        self.finance = Finance(code)
        self.random = random.Random()
        self.phone_masks: list[str] = self.person._extract(
            ["telephone_fmt"], default=["+#-(###)-###-####"]
        )
        self.postcode_mask: str = self.address._extract(
            ["postal_code_fmt"], default="#####"
        )

    def reseed(self, seed: int) -> None:
        self.person.reseed(derive_seed(seed, "person"))
        self.address.reseed(derive_seed(seed, "address"))
        self.finance.reseed(derive_seed(seed, "finance"))
        self.random.seed(derive_seed(seed, "random"))


@lru_cache(maxsize=8)
def _makers(locale: str) -> _Makers:
    return _Makers(locale)  # Mimesis loads its data sets once per locale


def _block(makers: _Makers, first_index: int, count: int) -> list[Profile]:
    """count profiles numbered from first_index, from the makers' current seed."""
    person, address, finance, rng = (
        makers.person,
        makers.address,
        makers.finance,
        makers.random,
    )
    first_name, last_name, title = person.first_name, person.last_name, person.title
    street_name, street_suffix = address.street_name, address.street_suffix
    state, city, number = address.state, address.city, address.street_number
    phones, postcode, choice = makers.phone_masks, makers.postcode_mask, rng.choice
    earliest = DEFAULT_START.date().replace(year=DEFAULT_START.year - _OLDEST)
    span = (_OLDEST - _YOUNGEST) * 365
    profiles = []
    for index in range(first_index, first_index + count):
        gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
        first, last = first_name(gender), last_name(gender)
        profile = Profile(
            id=str(1000 + index),
            uuid=random_uuid(rng),
            username=person.username(),
            gender=gender.value,
            first_name=first,
            last_name=last,
            prefix_name=title(gender, TitleType.TYPICAL),
            suffix_name=title(gender, TitleType.ACADEMIC),
            birthdate=(earliest + timedelta(days=rng.randrange(span))).isoformat(),
            blood_group=person.blood_type().replace(_MINUS_SIGN, "-"),
            email=f"{first}.{last}@{choice(EMAIL_DOMAINS).lstrip('@')}".lower(),
            employer=finance.company(),
            job=person.occupation(),
        )
        for suffix in "12":
            building, street, kind = number(), street_name(), street_suffix()
            region, code, town = state(abbr=True), _masked(rng, postcode), city()
            profile[f"full_address{suffix}"] = (
                f"{building} {street} {kind}, {town}, {region} {code}"
            )
            profile[f"building_number{suffix}"] = building
            profile[f"street_name{suffix}"] = street
            profile[f"street_suffix{suffix}"] = kind
            profile[f"state{suffix}"] = region
            profile[f"postcode{suffix}"] = code
            profile[f"city{suffix}"] = town
            profile[f"phone{suffix}"] = _masked(rng, choice(phones))
        profile["driver_license"] = _masked(rng, "@#####")
        profile["license_plate"] = _masked(rng, "@@@-####")
        profiles.append(profile)
    return profiles


_MASKS: dict[str, tuple[str, int, int, bool]] = {}


def _masked(rng: random.Random, mask: str) -> str:
    """mask with each '#' a random digit and each '@' a random capital letter
    (Mimesis' mask convention, filled in two draws rather than one a character)."""
    entry = _MASKS.get(mask)
    if entry is None:
        kinds = "".join(c for c in mask if c in "#@")
        template = mask.replace("{", "{{").replace("}", "}}")
        template = template.replace("#", "{}").replace("@", "{}")
        in_order = kinds.lstrip("@").strip("#") == ""  # letters, then digits
        entry = _MASKS[mask] = (template, kinds.count("#"), kinds.count("@"), in_order)
    template, digit_count, letter_count, in_order = entry
    top = 10**digit_count
    # random() has 53 bits: enough for 15 digits; longer masks draw an int
    number = int(rng.random() * top) if digit_count <= 15 else rng.randrange(top)
    digits = f"{number:0{digit_count}d}"
    if not letter_count:
        return template.format(*digits)
    letters = rng.choices(ascii_uppercase, k=letter_count)
    if in_order:
        return template.format(*letters, *digits)
    fill, digit, letter = [], iter(digits), iter(letters)
    for char in mask:
        if char == "#":
            fill.append(next(digit))
        elif char == "@":
            fill.append(next(letter))
    return template.format(*fill)


def create_profiles(
    seed: int, stop: int, start: int = 0, locale: str = "en"
) -> list[Profile]:
    """Profiles start .. stop-1 of the population seeded by seed.

    Profile i is the same whichever range it is made in, so a file of 500
    profiles grown to 800 keeps its first 500 people.
    """
    return [made for block in _blocks(seed, stop, start, locale) for made in block]


def _blocks(seed: int, stop: int, start: int, locale: str) -> Iterator[list[Profile]]:
    """Profiles start .. stop-1, a seeded block at a time."""
    if stop <= start:
        return
    makers = _makers(locale)
    for block in range(start // PROFILE_BLOCK, -(-stop // PROFILE_BLOCK)):
        first = block * PROFILE_BLOCK
        makers.reseed(derive_seed(seed, "profiles", locale, block))
        made = _block(makers, first, min(PROFILE_BLOCK, stop - first))
        yield made[max(start - first, 0) :]


class ProfileColumns(Sequence[Profile]):
    """A few fields of the created profiles start .. stop-1, a list a field:
    what a run keeps when its model reads only those and no profile is saved
    (16 bytes an actor for two fields, where a person's 32 take 3.3 KB).

    Item i is profile start + i with those fields, made when it is read (a
    new Profile on every read). Fields a created profile lacks are left out.
    """

    def __init__(
        self,
        seed: int,
        stop: int,
        start: int = 0,
        locale: str = "en",
        fields: Sequence[str] = (),
    ) -> None:
        self.size = max(stop - start, 0)
        self.fields = tuple(name for name in fields if name in PROFILE_FIELDS)
        self.columns: list[list[Any]] = [[] for _ in self.fields]
        for block in _blocks(seed, stop, start, locale):  # one block held at a time
            for name, column in zip(self.fields, self.columns):
                column.extend([made[name] for made in block])

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> Profile: ...

    @overload
    def __getitem__(self, index: slice) -> list[Profile]: ...

    def __getitem__(self, index: int | slice) -> Profile | list[Profile]:
        if isinstance(index, slice):
            return [self[at] for at in range(self.size)[index]]
        if not -self.size <= index < self.size:
            raise IndexError(f"profile {index} of {self.size}")
        return Profile(zip(self.fields, [column[index] for column in self.columns]))


def load_profiles(path: Path) -> list[Profile]:
    """The profiles saved in path (a JSON array of objects); ConfigError names
    the file and what is wrong with it."""
    try:
        loaded = orjson.loads(Path(path).read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"--profiles '{path}' is not JSON: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"--profiles '{path}' cannot be read: {exc}") from None
    if not isinstance(loaded, list) or not all(isinstance(p, dict) for p in loaded):
        raise ConfigError(f"--profiles '{path}' must hold a JSON array of objects")
    for number, profile in enumerate(loaded, 1):
        missing = [name for name in PROFILE_FIELDS if name not in profile]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise ConfigError(
                f"--profiles '{path}': profile #{number} has no field "
                f"'{missing[0]}'{more}: every profile needs the fields a "
                "created file has"
            )
    return [Profile(profile) for profile in loaded]


def save_profiles(path: Path, profiles: list[dict[str, Any]]) -> None:
    """Write profiles to path atomically: a reader never sees half a file."""
    target = Path(path)
    if target.parent and not target.parent.exists():
        raise ConfigError(f"--profiles '{path}': folder '{target.parent}' is missing")
    write_atomic(target, orjson.dumps(profiles, default=_json_default))


def _json_default(value: Any) -> Any:
    """Values behaviour code may put in a profile that JSON lacks."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"profile value {value!r} cannot be saved as JSON")
