"""A journey with known timing, for the tests that measure pacing."""

from __future__ import annotations

from datagen import JourneyProvider


class Metronome(JourneyProvider, abstract=True):
    """Five steps 30 s apart (offsets 0, 30, ..., 120). Abstract: a test that
    needs it registers it in an isolated registry."""

    name = "metronome"
    description = "Five ticks 30 seconds apart."

    def create_journey(self) -> None:
        for tick in range(5):
            self.add_step(
                "cart",
                {"tick": tick, "user_id": self.user_id},
                delay=[30, 30] if tick else None,
            )
