"""The e-commerce journey: sign-up, cart, order, payment, shipment, sharing ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datagen import JourneyProvider
from datagen.timefmt import isoformat
from document_providers.catalog import order_totals


class Ecommerce(JourneyProvider):
    name = "ecommerce"
    description = (
        "A customer signs up, fills a cart, orders it, pays the order total "
        "and receives a shipment; every document shares the customer and order ids."
    )

    def create_journey(self) -> None:
        customer = self.add_step(
            "customer",
            lambda at: self.document(
                "customer", at=at, id=self.user_id, created_at=isoformat(at)
            ),
        ).document
        cart = self.add_step(
            "cart",
            lambda at: self.document(
                "cart", at=at, customer_id=self.user_id, updated_at=isoformat(at)
            ),
            delay=[30, 1800],
        ).document
        order = self.add_step(
            "order",
            lambda at: self._order(at, cart["items"]),
            delay=[20, 900],
        ).document
        self.add_step(
            "payment",
            lambda at: self.document(
                "payment",
                at=at,
                order_id=order["id"],
                customer_id=self.user_id,
                amount=order["total"],
                status="captured",
                paid_at=isoformat(at),
            ),
            delay=[1, 120],
        )
        self.add_step(
            "shipment",
            lambda at: self.document(
                "shipment",
                at=at,
                order_id=order["id"],
                address=customer["address"],
                shipped_at=isoformat(at),
            ),
            delay=[3600, 3 * 86400],
        )

    def _order(self, at: datetime, items: list[dict[str, Any]]) -> dict[str, Any]:
        return self.document(
            "order",
            at=at,
            customer_id=self.user_id,
            placed_at=isoformat(at),
            status="placed",
            items=items,
            **order_totals(items),
        )
