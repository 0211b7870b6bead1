"""A third-party plugin: providers that datagen finds through entry points only."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider, JourneyProvider


class TinyInvoice(DocumentProvider):
    name = "tiny_invoice"
    description = "An invoice from the tiny test plugin."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {
            "id": self.uuid(),
            "number": _("identifier", mask="INV-#####"),
            "amount_cents": self.random.randint(100, 99999),
        }


class TinyBilling(JourneyProvider):
    name = "tiny_billing"
    description = "Two invoices a day apart, from the tiny test plugin."

    def create_journey(self) -> None:
        self.add_step("tiny_invoice", lambda at: self.document("tiny_invoice", at=at))
        self.add_step(
            "tiny_invoice",
            lambda at: self.document("tiny_invoice", at=at),
            delay=[86400, 86400],
        )
