"""A shopping cart: the products a customer is about to order."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider
from document_providers.catalog import draw_line_items


class Cart(DocumentProvider):
    name = "cart"
    description = "A shopping cart: customer, line items, last update."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {
            "id": _("uuid"),
            "customer_id": _("uuid"),
            "items": draw_line_items(self.random),
            "updated_at": self.timestamp_within(86400),
        }
