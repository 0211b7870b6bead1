"""Journeys as simulations: each actor lives one journey, its steps on the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from datagen.engine.actors import Actor
from datagen.engine.model import Emission, Window
from datagen.journeys import JOURNEY_PROVIDERS, JourneyProvider
from datagen.seeding import derive_seed


class JourneySimulation:
    """Actor i runs journey i of the provider, built by JourneyProvider.generate()
    with the seed `journey -p NAME` gives journey i, and emits each step's
    document at the step's time: so N actors interleave N journeys on one clock.

    With envelope (the default) each event says which journey, user and step
    it is, with its timestamp in the run's zone; without, it is the document.
    """

    default_duration = None  # until every journey is done
    needs_profiles = False

    def __init__(
        self, provider: str, locale: str = "en", envelope: bool = True
    ) -> None:
        self.provider_class = JOURNEY_PROVIDERS.get(provider)
        self.provider = provider
        self.name = provider
        self.description = self.provider_class.description
        self.locale = locale
        self.envelope = envelope

    def journey(self, actor: Actor, window: Window) -> JourneyProvider:
        """The actor's journey, built (the same as `journey -p` makes it)."""
        seed = derive_seed(window.seed, self.provider, "journey", actor.index)
        now = datetime.fromtimestamp(window.start, timezone.utc)
        journey = self.provider_class(locale=self.locale, seed=seed, now=now)
        journey.generate()
        return journey

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        journey = self.journey(actor, window)
        started = journey.started_at.timestamp()
        steps = sorted(journey.steps, key=lambda step: step.offset_seconds)
        for step in steps:
            moment = started + step.offset_seconds
            if not self.envelope:
                yield moment, step.document
                continue
            yield moment, {
                "journey": self.provider,
                "user_id": journey.user_id,
                "step": step.index,
                "document_type": step.document_type,
                "timestamp": window.iso(moment),
                "document": step.document,
            }
