"""A card or wallet payment for an order."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider
from document_providers.catalog import cents_to_amount

METHODS = ("card", "paypal", "apple_pay", "google_pay", "bank_transfer")


class Payment(DocumentProvider):
    name = "payment"
    description = "A payment: order, amount, method, masked card, status."

    def create_schema(self, _: Field) -> dict[str, Any]:
        method = self.random.choice(METHODS)
        return {
            "id": _("uuid"),
            "order_id": _("uuid"),
            "customer_id": _("uuid"),
            "amount": cents_to_amount(self.random.randint(500, 50000)),
            "currency": "EUR",
            "method": method,
            "card_last4": (
                f"{self.random.randint(0, 9999):04d}" if method == "card" else None
            ),
            "status": "captured" if self.random.random() < 0.97 else "declined",
            "paid_at": self.timestamp_within(30 * 86400),
        }
