"""`customers`: an event flow of new customers, their job changes and purchases."""

from __future__ import annotations

from typing import Any

from mimesis import Person

from datagen.engine.actors import Profile
from datagen.engine.models.flows import Event, EventContext, Flow
from datagen.engine.model import register_simulation

_JOBS: list[str] = Person()._extract(["occupation"])  # Mimesis' English job titles
_PRODUCTS = [
    ("coffee beans 1kg", 18.5),
    ("running shoes", 89.0),
    ("desk lamp", 34.9),
    ("headphones", 129.0),
    ("backpack", 59.0),
    ("water bottle", 12.0),
    ("novel", 15.99),
    ("phone case", 19.0),
]

CUSTOMER = {
    "event_time": None,
    "event_type": None,
    "event_id": None,
    "customer_id": None,
    "first_name": None,
    "last_name": None,
    "email": None,
    "job": None,
    "employer": None,
    "city": None,
    "created": None,
    "updated": None,
}
PURCHASE = {
    "event_time": None,
    "event_type": "purchase",
    "event_id": None,
    "customer_id": None,
    "order_id": None,
    "product": None,
    "quantity": None,
    "amount": None,
    "currency": "USD",
    "customer_orders": None,
    "customer_spent": None,
}


def new_customer(event: EventContext, profile: Profile) -> dict[str, Any]:
    return {
        "event_time": event.time,
        "event_type": "new_customer",
        "event_id": f"{profile['id']}-c{event.id}",
        "customer_id": profile["id"],
        "first_name": profile["first_name"],
        "last_name": profile["last_name"],
        "email": profile["email"],
        "job": profile["job"],
        "employer": profile["employer"],
        "city": profile["city1"],
        "created": event.time,
        "updated": event.time,
    }


def change_job(event: EventContext, profile: Profile) -> dict[str, Any]:
    profile["job"] = event.random.choice(_JOBS)  # persists: saved with --profiles
    return {
        "event_time": event.time,
        "event_type": "job_change",
        "event_id": f"{profile['id']}-c{event.id}",
        "job": profile["job"],
        "updated": event.time,
    }


def purchase(event: EventContext, profile: Profile) -> dict[str, Any]:
    product, price = event.random.choice(_PRODUCTS)
    quantity = 1 if event.random.random() < 0.8 else event.random.randint(2, 4)
    amount = round(price * quantity, 2)
    profile["orders"] = profile.get("orders", 0) + 1
    profile["spent"] = round(profile.get("spent", 0.0) + amount, 2)
    return {
        "event_time": event.time,
        "event_id": f"{profile['id']}-p{event.id}",
        "customer_id": profile["id"],
        "order_id": f"{profile['id']}-{profile['orders']:05d}",
        "product": product,
        "quantity": quantity,
        "amount": amount,
        "customer_orders": profile["orders"],
        "customer_spent": profile["spent"],
    }


_DESCRIPTION = (
    "Event flow: a customer signs up, then buys (about every 10 min) and "
    "changes job (about every 2 h), using profiles"
)


@register_simulation("customers", _DESCRIPTION)
def customers(**options: Any) -> Flow:
    """New customer >> [job changes, purchases], both repeating for the run."""
    if options:
        raise TypeError(f"unexpected options {sorted(options)}")
    signed_up = Event(CUSTOMER, new_customer, epm=1.0)
    job_changes = Event(CUSTOMER, change_job, limit=0, epm=1 / 120)
    purchases = Event(PURCHASE, purchase, limit=0, epm=0.1)
    signed_up >> [job_changes, purchases]
    return Flow(signed_up, name="customers", description=_DESCRIPTION)
