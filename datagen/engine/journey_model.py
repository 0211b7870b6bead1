"""Journeys as simulations: each actor lives one journey, its steps on the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider
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
        self._documents: dict[str, DocumentProvider] = {}

    def journey(self, actor: Actor, window: Window) -> JourneyProvider:
        """The actor's journey, built (the same as `journey -p` makes it)."""
        seed = derive_seed(window.seed, self.provider, "journey", actor.index)
        now = datetime.fromtimestamp(window.start, timezone.utc)
        journey = self.provider_class(locale=self.locale, seed=seed, now=now)
        journey._providers = _Reseeded(self._documents, journey)  # type: ignore
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


class _Reseeded(dict):  # type: ignore[type-arg]
    """A journey's document providers, taken from a cache shared by the run's
    journeys and reseeded as the journey would seed new ones: Mimesis set-up
    costs milliseconds, reseeding microseconds, and the documents are the same.
    """

    def __init__(
        self, cache: dict[str, DocumentProvider], journey: JourneyProvider
    ) -> None:
        super().__init__()
        self.cache = cache
        self.journey = journey

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        instance = super().get(name)
        if instance is not None:
            return instance
        journey = self.journey
        seed = derive_seed(journey.seed, "document", name)
        instance = self.cache.get(name)
        if instance is None:
            provider_class = DOCUMENT_PROVIDERS.get(name)
            instance = provider_class(journey.locale, seed, journey.started_at)
            self.cache[name] = instance
        else:
            instance.reseed(seed)
        self[name] = instance
        return instance
