"""The behaviour-model contract: how one actor acts over simulated time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, ClassVar, Protocol

from datagen.engine.actors import Actor
from datagen.registry import Registry

#: (time in epoch seconds, event): what a model yields, in time order per actor.
Emission = tuple[float, dict[str, Any]]


@dataclass(frozen=True)
class Window:
    """The simulated time a run covers: from start to end (epoch seconds)."""

    start: float
    end: float | None
    timezone: tzinfo


class Behaviour(Protocol):
    """A behaviour model (event flow, state machine, web sessions, journey)."""

    name: ClassVar[str]
    description: ClassVar[str]

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        """The actor's events in time order, none before window.start.

        May be endless; the runner stops reading at window.end or a count.
        Randomness only from actor.rng, time only from window and the emissions.
        """
        ...


#: name -> a factory taking keyword options (config path, ...) and returning a model.
SIMULATIONS: Registry[Any] = Registry("simulation", "datagen.simulations")
