"""An order whose line items, tax, shipping and total add up to the cent."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider
from document_providers.catalog import draw_line_items, order_totals

STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled")


class Order(DocumentProvider):
    name = "order"
    description = "An order: line items and subtotal + tax + shipping = total."

    def create_schema(self, _: Field) -> dict[str, Any]:
        items = draw_line_items(self.random)
        return {
            "id": _("uuid"),
            "customer_id": _("uuid"),
            "placed_at": self.timestamp_within(30 * 86400),
            "status": self.random.choice(STATUSES),
            "currency": "EUR",
            "items": items,
            **order_totals(items),
        }
