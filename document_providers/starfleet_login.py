"""A log-in attempt on a Starfleet account."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider

TERMINALS = ("bridge", "ready_room", "engineering", "sickbay", "padd")


class StarfleetLogin(DocumentProvider):
    name = "starfleet_login"
    description = "A log-in attempt: account, time, terminal, outcome."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {
            "id": _("uuid"),
            "account_id": _("uuid"),
            "attempted_at": self.timestamp_within(86400),
            "terminal": self.random.choice(TERMINALS),
            "ip_address": _("ip_v4"),
            "success": self.random.random() < 0.85,
        }
