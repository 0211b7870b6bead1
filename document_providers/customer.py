"""An e-commerce customer with a postal address."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider
from document_providers._address import postal_address

TIERS = ("bronze", "silver", "gold", "platinum")


class Customer(DocumentProvider):
    name = "customer"
    description = "A shop customer: id, name, email, phone, address, loyalty tier."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {
            "id": _("uuid"),
            "email": _("email"),
            "first_name": _("first_name"),
            "last_name": _("last_name"),
            "phone": _("telephone"),
            "date_of_birth": self.date_of_birth(min_age=18),
            "address": postal_address(_, self.locale),
            "loyalty_tier": self.random.choice(TIERS),
            "marketing_opt_in": self.random.random() < 0.4,
            "created_at": self.timestamp_within(365 * 86400),
        }
