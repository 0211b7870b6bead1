"""A parcel sent for an order."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider
from document_providers._address import postal_address

CARRIERS = ("DHL", "UPS", "FedEx", "DPD", "Royal Mail")


class Shipment(DocumentProvider):
    name = "shipment"
    description = "A shipment: order, carrier, tracking number, address."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {
            "id": _("uuid"),
            "order_id": _("uuid"),
            "carrier": self.random.choice(CARRIERS),
            "tracking_number": _("identifier", mask="@@#########@@"),
            "shipped_at": self.timestamp_within(7 * 86400),
            "address": postal_address(_, self.locale),
        }
