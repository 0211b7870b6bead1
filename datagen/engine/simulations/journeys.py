"""Every registered journey provider, also registered as a simulation of its name."""

from __future__ import annotations

from typing import Any

from datagen.engine.models.journey import JourneySimulation
from datagen.engine.model import SIMULATIONS
from datagen.journeys import JOURNEY_PROVIDERS


class JourneyFactory:
    """The simulation factory of one journey provider: `(**options) -> model`."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.name = provider

    @property
    def description(self) -> str:
        described = JOURNEY_PROVIDERS.get(self.provider).description
        return f"journey: {described}" if described else "journey"

    def __call__(self, **options: Any) -> JourneySimulation:
        return JourneySimulation(self.provider, **options)


_factories: dict[str, JourneyFactory] = {}


def register_journey_simulations() -> None:
    """Add each journey provider not yet a simulation (plugins included); the
    SIMULATIONS registry runs this once it has loaded, and calling it again
    adds journeys defined since. A clash of names is a RegistryError."""
    for name in JOURNEY_PROVIDERS:
        factory = _factories.get(name)
        if factory is None:
            factory = _factories[name] = JourneyFactory(name)
        SIMULATIONS.add(name, factory, origin=JOURNEY_PROVIDERS.origin(name))
