"""The behaviour-model contract: how one actor acts over simulated time.

A behaviour model is any object with `actor_events(actor, window)`. Optional
attributes the engine reads when present:

- `name`, `description`: shown by `list` and in summaries;
- `tick_seconds` (default 1.0): the length of one `--ticks` tick;
- `default_duration` (default 3600.0): the simulated seconds of a batch run
  given no --end/--duration/--ticks; None means "until every actor is done";
- `default_actors` (default 100): the population when --actors is not given;
- `default_arrivals(actors, window)`: new actors a second joining a run that
  has a bound (--count, --duration, --end, --ticks, --live), and
  `arrivals_begin` (default 0): seconds after the start when they begin
  (journeys: after the initial actors' start spread, so the rate holds);
- `warm_up_seconds(intensity)`: how long a live run plays before it emits,
  so its first second looks like any other (web sessions under way);
- `profile_fields`: the profile fields actor_events reads; a run that reads
  and saves no profiles file keeps only those (and Actor.id's) in memory.

The SIMULATIONS registry holds factories `(**options) -> Behaviour`; the only
option the CLI passes is `config` (the --config path), and only when given.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timezone, tzinfo
from typing import Any, ClassVar, Protocol, TypeVar

from datagen.engine.actors import Actor
from datagen.timefmt import TimeFormatter
from datagen.errors import first_line
from datagen.seeding import derive_seed
from datagen.registry import Registry

#: (time in epoch seconds, event): what a model yields, in time order per actor;
#: an event of None is a wake-up (see Behaviour.actor_events).
Emission = tuple[float, dict[str, Any] | None]
F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_TICK_SECONDS = 1.0
DEFAULT_DURATION_SECONDS = 3600.0
DEFAULT_ACTORS = 100


@dataclass(frozen=True)
class Window:
    """The simulated time a run covers: from start to end (epoch seconds).

    end None means open-ended (live runs, --count alone, or "until every
    actor is done"). seed is the run's seed, for models that derive more than
    actor.rng gives (a journey's seed, so `simulate starfleet` meets `journey
    -p starfleet`). The rest is read by models that support it:

    - intensity: how much more often each actor acts than the model says (a
      live run meets --rate this way, its clock staying the wall clock);
    - live: the run follows the wall clock (a state machine then spreads its
      subjects' ticks over the tick, so the stream has no once-a-minute burst);
    - arrival: this actor arrived during the run (a journey starts at once);
    - emit_from: events before it are played but not emitted (a live run
      starts with web sessions under way, as if it had always been running);
    - arrivals: new actors joining during the run (an open population);
    - dry: a measuring run whose events go nowhere: a model calls no hook
      with side effects (a state machine's per-transition sinks).
    """

    start: float
    end: float | None
    timezone: tzinfo = timezone.utc
    seed: int = 0
    intensity: float = 1.0
    live: bool = False
    arrival: bool = False
    emit_from: float | None = None
    arrivals: Arrivals | None = None
    dry: bool = False
    _formatter: TimeFormatter = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        formatter = TimeFormatter(self.timezone)
        object.__setattr__(self, "_formatter", formatter)
        object.__setattr__(self, "iso", formatter)  # the method, minus a call

    def iso(self, epoch: float) -> str:
        """epoch as ISO 8601 text with milliseconds in the run's time zone."""
        return self._formatter(epoch)

    def arriving_at(self, moment: float) -> Window:
        """The window of an actor that arrives at moment: it starts then."""
        return replace(self, start=moment, arrival=True)

    @property
    def first(self) -> float:
        """The time of the first event the run emits."""
        return self.start if self.emit_from is None else self.emit_from


@dataclass(frozen=True)
class Arrivals:
    """New actors joining a run: a Poisson process of `rate` actors a second
    from `begin`, numbered from `first_index` on (after the initial actors).

    With `holding` (events a second), the rate follows the stream instead:
    each next arrival comes at holding minus the rate at which the actors
    already under way emit (their events after their first), so a live run of
    journeys carries that rate from its first second, whatever the journeys'
    lengths. Arrival times come from the run's seed (and, when holding, the
    stream itself), so every process that runs the stream draws the same ones.
    """

    rate: float
    begin: float
    first_index: int
    holding: float | None = None

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ValueError(f"arrival rate must be positive, not {self.rate}")

    def times(
        self,
        seed: int,
        workers: int = 1,
        worker: int = 0,
        under_way: Callable[[float], float] | None = None,
    ) -> Iterator[tuple[float, int]]:
        """(arrival time, actor index) in time order, endless; with workers,
        only the arrivals whose index % workers is worker. under_way(t): the
        rate the actors under way emit at t (read when holding)."""
        rng = random.Random(derive_seed(seed, "arrivals"))
        moment, index = self.begin, self.first_index
        while True:
            if self.holding is not None and under_way is not None:
                rate = self.holding - under_way(moment)
                if rate <= 0:  # the actors under way carry it: look again soon
                    moment += _RECHECK_SECONDS
                    continue
            else:
                rate = self.rate
            moment += rng.expovariate(rate)
            if index % workers == worker:
                # whole milliseconds: a journey's start (a datetime) is then
                # exactly this moment, not a rounding before it
                yield round(moment, 3), index
            index += 1


#: How long held arrivals wait before looking at the stream again when the
#: actors under way already carry its rate.
_RECHECK_SECONDS = 1.0


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
        (moment, None) is a wake-up: nothing is emitted and the actor goes on
        at moment, so an event need not be built long before it is due.
        """
        ...


#: name -> a factory taking keyword options (config path, ...) and returning a model.
#: Every journey provider is a simulation too: the hook adds them once all is loaded.
SIMULATIONS: Registry[Any] = Registry(
    "simulation",
    "datagen.simulations",
    builtins=("datagen.engine.simulations",),
    after_load=(
        "datagen.engine.simulations.journeys:register_journey_simulations",
        "datagen.declarative.loader:load_simulations",
    ),
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
