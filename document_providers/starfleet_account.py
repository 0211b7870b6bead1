"""A Starfleet personnel account: the original tool's first document."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider


class StarfleetAccount(DocumentProvider):
    name = "starfleet_account"
    description = "A Starfleet account: uuid, name, birth stardate, subspace address."

    def create_schema(self, _: Field) -> dict[str, Any]:
        return {
            "id": _("uuid"),
            "stardate_of_birth": self.date_of_birth(min_age=18),
            "subspace_address": _("email"),
            "communicator": _("telephone", mask="07#########"),
            "surname": _("last_name"),
            "forename": _("first_name"),
            "title": _("title"),
            "auth": {"logins": []},
            "federation_citizen_id": _("identifier", mask="@@###@@@#@###@"),
        }
