"""The behaviour-model contract: how one actor acts over simulated time.

A behaviour model is any object with `actor_events(actor, window)`. Optional
attributes the engine reads when present:

- `name`, `description`: shown by `list` and in summaries;
- `tick_seconds` (default 1.0): the length of one `--ticks` tick;
- `default_duration` (default 3600.0): the simulated seconds of a batch run
  given no --end/--duration/--ticks; None means "until every actor is done";
- `default_actors` (default 100): the population when --actors is not given.

The SIMULATIONS registry holds factories `(**options) -> Behaviour`; the only
option the CLI passes is `config` (the --config path), and only when given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from typing import Any, ClassVar, Protocol, TypeVar

from datagen.engine.actors import Actor
from datagen.timefmt import TimeFormatter
from datagen.errors import first_line
from datagen.registry import Registry

#: (time in epoch seconds, event): what a model yields, in time order per actor.
Emission = tuple[float, dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_TICK_SECONDS = 1.0
DEFAULT_DURATION_SECONDS = 3600.0
DEFAULT_ACTORS = 100


@dataclass(frozen=True)
class Window:
    """The simulated time a run covers: from start to end (epoch seconds).

    end None means open-ended (live runs, or "until every actor is done").
    seed is the run's seed, for models that derive more than actor.rng gives
    (a journey's seed, so `simulate starfleet` meets `journey -p starfleet`).
    """

    start: float
    end: float | None
    timezone: tzinfo = timezone.utc
    seed: int = 0
    _formatter: TimeFormatter = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        formatter = TimeFormatter(self.timezone)
        object.__setattr__(self, "_formatter", formatter)
        object.__setattr__(self, "iso", formatter)  # the method, minus a call

    def iso(self, epoch: float) -> str:
        """epoch as ISO 8601 text with milliseconds in the run's time zone."""
        return self._formatter(epoch)


class Behaviour(Protocol):
    """A behaviour model (event flow, state machine, web sessions, journey)."""

    name: ClassVar[str]
    description: ClassVar[str]

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        """The actor's events in time order, none before window.start.

        May be endless; the runner stops reading at window.end or a count.
        Randomness only from actor.rng, time only from window and the emissions.
        The runner copies nothing: yield a new dict per event (or one you no
        longer change), since events may wait in a batch before they are written.
        """
        ...


#: name -> a factory taking keyword options (config path, ...) and returning a model.
#: Every journey provider is a simulation too: the hook adds them once all is loaded.
SIMULATIONS: Registry[Any] = Registry(
    "simulation",
    "datagen.simulations",
    builtins=("datagen.engine.simulations",),
    after_load=("datagen.engine.simulations.journeys:register_journey_simulations",),
)


def register_simulation(name: str, description: str) -> Callable[[F], F]:
    """Decorator: register a factory (function or class) as simulation `name`."""

    def register(factory: F) -> F:
        factory.name = name  # type: ignore[attr-defined]
        factory.description = description  # type: ignore[attr-defined]
        SIMULATIONS.add(name, factory, origin=factory.__module__)
        return factory

    return register


def describe(factory: Any) -> str:
    """A simulation factory's one-line description (attribute, else docstring)."""
    text = getattr(factory, "description", None)
    if not isinstance(text, str) or not text:
        text = (getattr(factory, "__doc__", None) or "").strip()
    return first_line(text)


@dataclass(frozen=True)
class Edge:
    """An arrow of a model's graph: source -> target, labelled."""

    source: str
    target: str
    label: str


@dataclass
class Graph:
    """Nodes and labelled edges; `entry` nodes get an arrow from a start dot."""

    title: str
    nodes: list[str] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    #: node -> label of the arrow from the start dot ("" for a plain arrow).
    entry: dict[str, str] = field(default_factory=dict)
    #: node -> a second line under its name (e.g. "stay 99.79%").
    notes: dict[str, str] = field(default_factory=dict)
    final: set[str] = field(default_factory=set)
