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

    @property
    def arrivals_begin(self) -> float:
        """New journeys begin once the initial ones' starts are spread out."""
        return float(self.provider_class.start_spread_seconds)

    def default_arrivals(self, actors: int, window: Window) -> float:
        """Journeys a second that keep the initial actors' rate of starts:
        --actors journeys over the provider's start spread."""
        return actors / max(self.provider_class.start_spread_seconds, 1)

    def unbuilt(self, index: int, window: Window) -> JourneyProvider:
        """Journey number index of the run, its start drawn, its steps not;
        a journey of an actor who arrives during the run starts on arrival."""
        seed = derive_seed(window.seed, self.provider, "journey", index)
        now = datetime.fromtimestamp(window.start, timezone.utc)
        journey = self.provider_class(locale=self.locale, seed=seed, now=now)
        if window.arrival:
            journey.started_at = now
        return journey

    def journey(self, actor: Actor, window: Window) -> JourneyProvider:
        """The actor's journey, built (the same as `journey -p` makes it)."""
        journey = self.unbuilt(actor.index, window)
        journey.generate()
        return journey

    def first_moment(self, index: int, window: Window) -> float:
        """When journey index starts: no step comes earlier (a step's offset
        is never negative). The merge builds a journey only when its start is
        reached, so a run of many journeys holds those under way, not all."""
        return self.unbuilt(index, window).started_at.timestamp()

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
