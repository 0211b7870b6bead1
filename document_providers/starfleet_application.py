"""An application to serve on a Starfleet vessel."""

from __future__ import annotations

from typing import Any

from mimesis import Field

from datagen import DocumentProvider

DIVISIONS = ("command", "operations", "sciences", "medical", "engineering")
VESSELS = (
    "USS Enterprise",
    "USS Voyager",
    "USS Defiant",
    "USS Discovery",
    "USS Cerritos",
)
RANKS = ("cadet", "ensign", "lieutenant junior grade", "lieutenant")


class StarfleetApplication(DocumentProvider):
    name = "starfleet_application"
    description = "A posting application: account, division, vessel, academy scores."

    def create_schema(self, _: Field) -> dict[str, Any]:
        rng = self.random
        return {
            "id": _("uuid"),
            "account_id": _("uuid"),
            "submitted_at": self.timestamp_within(30 * 86400),
            "division": rng.choice(DIVISIONS),
            "preferred_vessel": rng.choice(VESSELS),
            "requested_rank": rng.choice(RANKS),
            "academy_scores": {
                "tactics": rng.randint(40, 100),
                "xenolinguistics": rng.randint(40, 100),
                "warp_theory": rng.randint(40, 100),
            },
            "statement": _("text.sentence"),
            "status": "submitted",
        }
