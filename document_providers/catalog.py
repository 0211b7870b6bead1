"""The product catalogue and money arithmetic shared by the e-commerce documents.

Money is counted in whole cents and shown as decimals with two places, so totals
always add up exactly.
"""

from __future__ import annotations

import random
from typing import Any

PRODUCTS = (
    ("SKU-1001", "Wireless mouse", 1999),
    ("SKU-1002", "Mechanical keyboard", 8950),
    ("SKU-1003", "USB-C cable", 899),
    ("SKU-1004", "27in monitor", 21900),
    ("SKU-1005", "Laptop stand", 3450),
    ("SKU-1006", "Noise-cancelling headphones", 17999),
    ("SKU-1007", "Webcam", 5499),
    ("SKU-1008", "Desk lamp", 2750),
    ("SKU-1009", "Notebook, dotted", 650),
    ("SKU-1010", "Coffee beans 1kg", 2400),
)
TAX_RATE_PERCENT = 20
FREE_SHIPPING_FROM_CENTS = 5000
SHIPPING_CENTS = 495


def cents_to_amount(cents: int) -> float:
    """Cents as a decimal amount with two places (e.g. 1999 -> 19.99)."""
    return round(cents / 100, 2)


def amount_to_cents(amount: float) -> int:
    """A decimal amount as whole cents."""
    return round(amount * 100)


def draw_line_items(rng: random.Random, most: int = 4) -> list[dict[str, Any]]:
    """One to `most` distinct products with quantities and line totals."""
    items = []
    for sku, product_name, unit_cents in rng.sample(PRODUCTS, rng.randint(1, most)):
        quantity = rng.randint(1, 3)
        items.append(
            {
                "sku": sku,
                "product_name": product_name,
                "quantity": quantity,
                "unit_price": cents_to_amount(unit_cents),
                "line_total": cents_to_amount(unit_cents * quantity),
            }
        )
    return items


def order_totals(items: list[dict[str, Any]]) -> dict[str, float]:
    """subtotal, tax, shipping and total (= subtotal + tax + shipping) of items."""
    subtotal = sum(amount_to_cents(item["line_total"]) for item in items)
    tax = subtotal * TAX_RATE_PERCENT // 100
    shipping = 0 if subtotal >= FREE_SHIPPING_FROM_CENTS else SHIPPING_CENTS
    return {
        "subtotal": cents_to_amount(subtotal),
        "tax": cents_to_amount(tax),
        "shipping": cents_to_amount(shipping),
        "total": cents_to_amount(subtotal + tax + shipping),
    }
