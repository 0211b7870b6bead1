"""The Starfleet journey: an account, log-ins, an application, its review."""

from __future__ import annotations

from datagen import JourneyProvider, Step
from datagen.timefmt import isoformat


class Starfleet(JourneyProvider):
    name = "starfleet"
    description = (
        "Account created, log-in attempts, an application a while after the "
        "first log-in, then more log-ins."
    )

    def create_journey(self) -> None:
        user_id = self.user_id
        self.add_step(
            "starfleet_account",
            lambda at: self.document("starfleet_account", at=at, id=user_id),
        )
        first_login = self._login(delay=[60, 3600])
        for _ in range(self.random.randint(0, 2)):
            self._login(delay=[30, 7200])
        self.add_step(
            "starfleet_application",
            lambda at: self.document(
                "starfleet_application",
                at=at,
                account_id=user_id,
                submitted_at=isoformat(at),
            ),
            delay=[600, 86400],
            delay_from_step_index=first_login.index,
        )
        self._login(delay=[3600, 3 * 86400])

    def _login(self, delay: list[int]) -> Step:
        return self.add_step(
            "starfleet_login",
            lambda at: self.document(
                "starfleet_login",
                at=at,
                account_id=self.user_id,
                attempted_at=isoformat(at),
            ),
            delay=delay,
        )
