"""The e-commerce documents: customer, cart, order, payment, shipment."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from datagen import create_provider
from document_providers.catalog import (
    FREE_SHIPPING_FROM_CENTS,
    PRODUCTS,
    SHIPPING_CENTS,
    TAX_RATE_PERCENT,
)
from document_providers.customer import TIERS
from document_providers.order import STATUSES
from document_providers.payment import METHODS
from document_providers.shipment import CARRIERS
from tests.document_providers.formats import (
    assert_adult,
    assert_email,
    assert_uuid4,
    assert_within,
    cents,
)

NOW = datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc)
PRICES = {sku: (name, price) for sku, name, price in PRODUCTS}
TRACKING = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")


def documents(name: str, count: int = 300, seed: int = 5):
    return create_provider(name, seed=seed, now=NOW).generate_many(count)


def assert_address(address: dict) -> None:
    assert set(address) == {"street", "city", "postcode", "country_code"}
    assert all(isinstance(v, str) and v.strip() for v in address.values())
    assert re.match(r"^[A-Z]{2}$", address["country_code"])


def assert_line_items(items: list[dict]) -> None:
    assert 1 <= len(items) <= 4
    assert len({item["sku"] for item in items}) == len(items)
    for item in items:
        name, unit_cents = PRICES[item["sku"]]
        assert item["product_name"] == name
        assert cents(item["unit_price"]) == unit_cents
        assert 1 <= item["quantity"] <= 3
        assert cents(item["line_total"]) == unit_cents * item["quantity"]


def test_customer_fields():
    customers = documents("customer")
    for customer in customers:
        assert_uuid4(customer["id"])
        assert_email(customer["email"])
        assert customer["first_name"].strip() and customer["last_name"].strip()
        assert re.search(r"\d{7,}", re.sub(r"\D", "", customer["phone"]))
        assert_adult(customer["date_of_birth"], NOW)
        assert_address(customer["address"])
        assert customer["loyalty_tier"] in TIERS
        assert_within(customer["created_at"], NOW, 365 * 86400)
    assert {c["marketing_opt_in"] for c in customers} == {True, False}


def test_cart_fields():
    for cart in documents("cart"):
        assert_uuid4(cart["id"])
        assert_uuid4(cart["customer_id"])
        assert_line_items(cart["items"])
        assert_within(cart["updated_at"], NOW, 86400)


def test_order_totals_add_up_to_the_cent():
    orders = documents("order", count=500)
    for order in orders:
        assert_uuid4(order["id"])
        assert_uuid4(order["customer_id"])
        assert order["status"] in STATUSES and order["currency"] == "EUR"
        assert_within(order["placed_at"], NOW, 30 * 86400)
        assert_line_items(order["items"])
        subtotal = sum(cents(item["line_total"]) for item in order["items"])
        assert cents(order["subtotal"]) == subtotal
        assert cents(order["tax"]) == subtotal * TAX_RATE_PERCENT // 100
        free = subtotal >= FREE_SHIPPING_FROM_CENTS
        assert cents(order["shipping"]) == (0 if free else SHIPPING_CENTS)
        assert cents(order["subtotal"]) + cents(order["tax"]) + cents(
            order["shipping"]
        ) == cents(order["total"])
    # Both sides of the free-shipping threshold occur.
    assert {o["shipping"] == 0 for o in orders} == {True, False}


def test_payment_fields():
    payments = documents("payment")
    for payment in payments:
        assert_uuid4(payment["id"])
        assert_uuid4(payment["order_id"])
        assert_uuid4(payment["customer_id"])
        assert 500 <= cents(payment["amount"]) <= 50000
        assert payment["method"] in METHODS and payment["currency"] == "EUR"
        if payment["method"] == "card":
            assert re.match(r"^\d{4}$", payment["card_last4"])
        else:
            assert payment["card_last4"] is None
        assert payment["status"] in {"captured", "declined"}
        assert_within(payment["paid_at"], NOW, 30 * 86400)
    assert "card" in {p["method"] for p in payments}


def test_shipment_fields():
    for shipment in documents("shipment"):
        assert_uuid4(shipment["id"])
        assert_uuid4(shipment["order_id"])
        assert shipment["carrier"] in CARRIERS
        assert TRACKING.match(shipment["tracking_number"])
        assert_within(shipment["shipped_at"], NOW, 7 * 86400)
        assert_address(shipment["address"])
