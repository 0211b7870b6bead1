"""`customers_cdc`: customers created, changed (address, email, job, phone)
and deleted, as change events keyed by customer_id."""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from mimesis import Address, Finance, Person
from mimesis.datasets import EMAIL_DOMAINS

from datagen.engine.actors import Actor
from datagen.engine.model import Window, register_simulation
from datagen.engine.models.cdc import Changes, EntityChanges, changes_from_config

KEY = "customer_id"
#: What an update changes, and how often (shares of updates).
_KINDS = ("address", "email", "job", "phone")
_SHARES = (0.3, 0.3, 0.25, 0.15)


@cache
def _pools() -> dict[str, list[str]]:
    """Values an update draws from (Mimesis' English data), read once."""
    address = Address()
    return {
        "street": address._extract(["street", "name"]),
        "suffix": address._extract(["street", "suffix"]),
        "city": address._extract(["city"]),
        "state": address._extract(["state", "abbr"]),
        "job": Person()._extract(["occupation"]),
        "employer": Finance()._extract(["company", "name"]),
        "domain": [domain.lstrip("@") for domain in EMAIL_DOMAINS],
    }


def _key(actor: Actor) -> Any:
    """The profile's id (a number where it is one), else the actor's number."""
    value = actor.profile.get("id")
    if value is None:
        return actor.index + 1
    return int(value) if isinstance(value, str) and value.isdigit() else value


class Customers:
    """A customer's fields from the actor's profile; updates drawn from pools."""

    def create(self, actor: Actor, moment: float, window: Window) -> dict[str, Any]:
        profile = actor.profile
        street = " ".join(
            str(profile.get(name, ""))
            for name in ("building_number1", "street_name1", "street_suffix1")
        )
        return {
            KEY: _key(actor),
            "first_name": profile.get("first_name"),
            "last_name": profile.get("last_name"),
            "email": profile.get("email"),
            "phone": profile.get("phone1"),
            "street": street.strip() or None,
            "city": profile.get("city1"),
            "state": profile.get("state1"),
            "postcode": profile.get("postcode1"),
            "job": profile.get("job"),
            "employer": profile.get("employer"),
            "created": window.iso(moment),
        }

    def update(
        self, actor: Actor, record: Mapping[str, Any], moment: float, window: Window
    ) -> dict[str, Any]:
        rng = actor.rng
        pools = _pools()
        kind = rng.choices(_KINDS, _SHARES)[0]
        if kind == "address":
            return {
                "street": f"{rng.randint(1, 9999)} {rng.choice(pools['street'])} "
                f"{rng.choice(pools['suffix'])}",
                "city": rng.choice(pools["city"]),
                "state": rng.choice(pools["state"]),
                "postcode": f"{rng.randrange(100_000):05d}",
            }
        if kind == "email":
            name = f"{record.get('first_name')}.{record.get('last_name')}"
            return {"email": _email(rng, name, pools["domain"])}
        if kind == "job":
            return {
                "job": rng.choice(pools["job"]),
                "employer": rng.choice(pools["employer"]),
            }
        return {"phone": _phone(rng)}


def _email(rng: random.Random, name: str, domains: list[str]) -> str:
    return f"{name}{rng.randint(1, 99)}@{rng.choice(domains)}".lower()


def _phone(rng: random.Random) -> str:
    return (
        f"+1-{rng.randint(200, 999)}-{rng.randint(200, 999)}-"
        f"{rng.randrange(10_000):04d}"
    )


_DESCRIPTION = (
    "Change data capture: customers created, updated (address, email, job, "
    "phone; about every 10 min) and deleted (after about 5 h), keyed by "
    "customer_id; --config sets envelope: debezium and the rates"
)


@register_simulation("customers_cdc", _DESCRIPTION)
def customers_cdc(config: str | Path | None = None) -> EntityChanges:
    """The customers' changes; config: a YAML file of envelope, first_after,
    update_every, delete_after (see docs/cdc.md)."""
    changes = Changes(key_field=KEY, table="customers")
    if config is not None:
        changes = changes_from_config(config, changes)
    return EntityChanges(Customers(), changes, "customers_cdc", _DESCRIPTION)
