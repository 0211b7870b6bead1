"""Simulation: a behaviour model, its population and a time window; the Python API.

    sim = Simulation("customers", actors=100, seed=7)
    for event in sim.run(duration="1h"):
        ...

The CLI's `simulate` builds the same object and writes its batches to sinks.
The module is a little long because the whole Python API meets here: finding
and building the model, the window's options, the population, and batches
from one process or many with the profiles they save.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from datagen.engine.batches import Batch, batch_keyed, limit_batches
from datagen.timefmt import (
    DEFAULT_START,
    duration_text,
    parse_duration,
    parse_time,
    resolve_timezone,
)
from datagen.engine.actors import Actor, LazyActors
from datagen.engine.clock import LiveClock
from datagen.engine.model import (
    DEFAULT_ACTORS,
    DEFAULT_DURATION_SECONDS,
    DEFAULT_TICK_SECONDS,
    SIMULATIONS,
    Arrivals,
    Behaviour,
    Window,
    describe,
)
from datagen.engine.parallel import parallel_batches
from datagen.engine.population import Population, build_population
from datagen.engine.runner import ArrivingActors, Keyed, run_actors, run_deferred
from datagen.errors import ConfigError, DatagenError, ProviderError, model_failure

#: Events per batch in one process: enough to amortise encoding and writes,
#: few enough that they are still in the processor's cache when they are
#: encoded (2,048 events, 5 MB with their lines, went to memory in between
#: with 100,000 web users: the run's loop was 20-30% slower).
BATCH_SIZE = 256
#: The largest population: every actor waits in memory until the run ends,
#: its RNG and what its model keeps between events (about 3.5 to 8.5 kB an
#: actor for the built-ins: docs/simulation.md, Memory), so a bigger one is
#: refused at once rather than filling memory before the first event.
MAX_ACTORS = 1_000_000


def find_simulation(name: str) -> Any:
    """The factory registered as name (built-ins, plugins, journeys: the
    registry loads them on first lookup); UnknownName listing the simulations
    when there is none, RegistryError when its module failed to load."""
    return SIMULATIONS.get(name)


def list_simulations() -> list[tuple[str, str, str]]:
    """(name, description, origin) of every simulation, by name."""
    return [
        (name, describe(SIMULATIONS.get(name)), SIMULATIONS.origin(name))
        for name in SIMULATIONS
    ]


def model_defaults(name: str) -> str:
    """The run a simulation gives with no options, for `list`: its actors,
    its length, its arrivals ("100 actors, 1h, no arrivals")."""
    model = build_model(name)
    actors = default_actors(model)
    length = getattr(model, "default_duration", DEFAULT_DURATION_SECONDS)
    span = "until every actor is done" if length is None else duration_text(length)
    default_arrivals = getattr(model, "default_arrivals", None)
    window = Window(DEFAULT_START.timestamp(), None)
    rate = 0.0 if default_arrivals is None else default_arrivals(actors, window)
    tick = getattr(model, "tick_seconds", None)
    ticks = f", {duration_text(tick)} ticks" if tick is not None else ""
    if rate <= 0:
        return f"{actors:,} actors, {span}{ticks}, no arrivals"
    return (
        f"{actors:,} actors, {span}{ticks}; with --count, --duration or --live,"
        f" {rate * 3600:,.3g} arrivals/h"
    )


def default_actors(model: Any) -> int:
    """The population a model runs when --actors is not given."""
    return int(getattr(model, "default_actors", DEFAULT_ACTORS))


def build_model(source: Any, config: str | Path | None = None) -> Behaviour:
    """A behaviour model from a model, a factory, or a registered name.

    A factory is called with config=... only when config is given; one that
    takes no config is a ConfigError naming it.
    """
    if isinstance(source, str):
        source = find_simulation(source)
    if hasattr(source, "actor_events") and not isinstance(source, type):
        if config is not None:
            raise ConfigError(f"simulation '{_name(source)}' takes no --config")
        return source
    if not callable(source):
        raise ConfigError(f"{source!r} is not a simulation (model or factory)")
    options = {} if config is None else {"config": str(config)}
    try:
        model = source(**options)
    except TypeError as exc:
        if config is not None and "config" in str(exc):
            raise ConfigError(
                f"simulation '{_name(source)}' takes no --config"
            ) from None
        raise
    if not hasattr(model, "actor_events"):
        raise ConfigError(
            f"simulation '{_name(source)}' made {model!r}, which has no actor_events()"
        )
    return model


class Simulation:
    """A model, N actors and a seed: run() streams its events in time order.

    model is a simulation name ("customers", "starfleet", ...), a factory or a
    model (a Flow, a state machine, ...). profiles is a JSON file of profiles:
    read when it exists (and never written: same seed, same file, same
    events), else created. profiles_out is where the profiles as a run leaves
    them (additions included) are saved when it ends; by default the profiles
    file when the run created it, else nowhere. Same seed and arguments, same
    events, whatever `workers` is.
    """

    def __init__(
        self,
        model: Any,
        actors: int | None = None,
        seed: int = 0,
        profiles: str | Path | None = None,
        config: str | Path | None = None,
        locale: str = "en",
        profiles_out: str | Path | None = None,
    ) -> None:
        self.model = build_model(model, config)
        self.name = _name(self.model)
        self.actors = actors
        self.seed = seed
        self.profiles = Path(profiles) if profiles is not None else None
        self.profiles_out = Path(profiles_out) if profiles_out is not None else None
        #: Keep every profile field though this process saves none (a cluster
        #: worker whose actors' profiles the driver saves): not only the
        #: model's profile_fields.
        self.keep_profiles = False
        self.locale = locale
        #: The --config the model was built with (a cluster's workers build it again).
        self.config = None if config is None else str(config)
        self._population: Population | None = None
        if actors is not None and actors < 1:
            raise ConfigError(f"--actors must be at least 1, not {actors}")
        if actors is not None and actors > MAX_ACTORS:
            raise ConfigError(
                f"--actors {actors} is more than {MAX_ACTORS:,}: every actor waits"
                " in memory until the run ends, a few kB each (see"
                " docs/simulation.md, Memory); split the population across runs"
            )

    @property
    def population(self) -> Population:
        """The actors, made (or loaded) on first use; streamed (LazyActors)
        when the model needs no profiles and none are read or saved."""
        if self._population is None and self._streams_actors():
            lazy = LazyActors(self.seed, range(self.requested_actors))
            self._population = Population(cast("list[Actor]", lazy), seed=self.seed)
        if self._population is None:
            self._population = build_population(
                self.seed,
                self.actors,
                self.profiles,
                self.locale,
                with_profiles=getattr(self.model, "needs_profiles", True),
                default_count=default_actors(self.model),
                out=self.profiles_out,
                fields=(
                    None
                    if self.keep_profiles
                    else getattr(self.model, "profile_fields", None)
                ),
            )
        return self._population

    def window(
        self,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
        ticks: int | None = None,
        duration: str | float | None = None,
        timezone: str = "UTC",
        live: bool = False,
        clock: LiveClock | None = None,
        *,
        count: int | None = None,
        arrivals: float | None = None,
        intensity: float = 1.0,
        holding: float | None = None,
        warm_up_limit: float | None = None,
    ) -> Window:
        """The simulated time of a run; ConfigError for a bad or empty window.

        Start defaults to 2025-01-01T00:00:00Z (the wall clock's now when live);
        give one of end, ticks (of the model's tick_seconds) or duration, else a
        batch run lasts the model's default_duration, one with a count until it
        has that many events, and a live one until stopped. A run with a bound
        (any of these, or live) has new actors arriving: `arrivals` a second,
        else the model's default_arrivals. intensity: see Window. holding
        (events a second, for models whose actors start spread out: journeys):
        every actor arrives during the run, as many as keep that rate.
        warm_up_limit: the longest a live run plays before it emits (seconds).
        """
        zone = resolve_timezone(timezone)
        if start is None:
            begin = (clock or LiveClock()).now() if live else DEFAULT_START
        else:
            begin = _as_time(start, "--start")
        first = begin.timestamp()
        last = self._end(first, begin, end, ticks, duration)
        bounded = last is not None or live or count is not None
        if last is None and not bounded:
            default = getattr(self.model, "default_duration", DEFAULT_DURATION_SECONDS)
            last = None if default is None else first + default
        if not (intensity > 0 and math.isfinite(intensity)):
            raise ConfigError(f"intensity must be positive, not {intensity}")
        window = Window(first, last, zone, self.seed, intensity=intensity, live=live)
        warm_up = getattr(self.model, "warm_up_seconds", None)
        if live and start is None and warm_up is not None:
            ahead = float(warm_up(intensity))
            if warm_up_limit is not None:
                ahead = min(ahead, warm_up_limit)
            window = replace(window, start=first - ahead, emit_from=first)
        if holding is not None and self.starts_spread():
            held = Arrivals(holding, first, 0, holding=holding)
            return replace(window, arrivals=held)
        flow = self._arrival_rate(arrivals, bounded, intensity, window)
        if flow <= 0:
            return window
        begin_at = first + self._arrivals_begin()
        # arrivals are numbered after the initial actors (a profiles file may
        # hold more than --actors or the default says)
        initial = len(self.population.actors)
        return replace(window, arrivals=Arrivals(flow, begin_at, initial))

    def _end(
        self,
        first: float,
        begin: datetime,
        end: str | datetime | None,
        ticks: int | None,
        duration: str | float | None,
    ) -> float | None:
        """The window's end from the one of --end, --ticks, --duration given."""
        given = [
            name
            for name, value in [
                ("--end", end),
                ("--ticks", ticks),
                ("--duration", duration),
            ]
            if value is not None
        ]
        if len(given) > 1:
            raise ConfigError(f"give one of --end, --ticks, --duration, not {given}")
        if end is not None:
            finish = _as_time(end, "--end")
            if finish <= begin:
                raise ConfigError(
                    f"--end {_text(end)} is not after --start {begin.isoformat()}"
                )
            return finish.timestamp()
        if ticks is not None:
            if ticks < 1:
                raise ConfigError(f"--ticks must be at least 1, not {ticks}")
            tick = getattr(self.model, "tick_seconds", DEFAULT_TICK_SECONDS)
            return first + ticks * tick
        if duration is not None:
            seconds = (
                parse_duration(duration)
                if isinstance(duration, str)
                else float(duration)
            )
            if seconds <= 0:
                raise ConfigError(
                    f"--duration must be longer than zero, not {duration}"
                )
            return first + seconds
        return None

    @property
    def requested_actors(self) -> int:
        """The actors asked for: --actors, else the model's default (a
        profiles file read without --actors may hold another number)."""
        return self.actors if self.actors is not None else default_actors(self.model)

    def _arrivals_begin(self) -> float:
        return float(getattr(self.model, "arrivals_begin", 0.0))

    def starts_spread(self) -> bool:
        """True for a model whose actors start spread over time (journeys):
        a live run holds its rate by how many of them arrive."""
        return self._arrivals_begin() > 0

    def _arrival_rate(
        self, arrivals: float | None, bounded: bool, intensity: float, window: Window
    ) -> float:
        """New actors a second: the given rate, else the model's default for a
        run with a bound (0 for an unbounded one, which would never end)."""
        if arrivals is not None:
            if not (arrivals >= 0 and math.isfinite(arrivals)):
                raise ConfigError(f"--arrivals must be 0 or more, not {arrivals}")
            rate = arrivals
        else:
            default = getattr(self.model, "default_arrivals", None)
            if not bounded or default is None:
                return 0.0
            rate = float(default(self.requested_actors, window))
        if self.starts_spread():  # a journey's pace is its own: more journeys instead
            rate *= intensity
        return rate

    def initial_actors(self, window: Window) -> Sequence[Actor]:
        """The actors present at the window's start: none when every actor
        arrives (a live run of journeys), else the population's."""
        if window.arrivals is not None and window.arrivals.first_index == 0:
            return []
        return self.population.actors

    def _streams_actors(self) -> bool:
        """True when actors can be made as they are read: nothing to load,
        nothing saved, so no actor needs to outlive its events."""
        return (
            not getattr(self.model, "needs_profiles", True)
            and self.profiles is None
            and self.profiles_out is None
        )

    def keyed(self, window: Window) -> Iterator[Keyed]:
        """(time, actor index, sequence, event) in time order, in this process.

        A model with first_moment(index, window) (journeys) has its actors
        started only when the merge reaches that moment (see runner.run_deferred)."""
        actors = self.initial_actors(window)
        arriving = (
            None
            if window.arrivals is None
            else ArrivingActors(window, self.population.arrival)
        )
        if callable(getattr(self.model, "first_moment", None)):
            return run_deferred(self.model, actors, window, arriving)
        return run_actors(self.model, actors, window, arriving)

    def _keyed_later(self, window: Window) -> Iterator[Keyed]:
        """keyed(), its actors started on the first read: a model's failure
        then comes from inside batches(), which names it in one line."""
        yield from self.keyed(window)

    def batches(
        self,
        window: Window,
        workers: int = 1,
        count: int | None = None,
        span: float | None = None,
    ) -> Generator[Batch, None, None]:
        """The stream in batches, from one process or `workers` forked ones;
        with `span` (a paced run), each batch keeps its events' times and, in
        one process, covers at most that many simulated seconds. The profiles
        are saved (to the population's `out`, if any) when the stream ends or
        is closed, not when it fails."""
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1, not {workers}")
        if count is not None and count < 1:
            raise ConfigError(f"--count must be at least 1, not {count}")
        population = self.population
        actors = self.initial_actors(window)
        arrivals = window.arrivals
        parallel = workers if arrivals else min(workers, len(actors))
        if arrivals is not None and arrivals.holding is not None:
            parallel = 1  # held arrivals follow the whole stream: one process
        if parallel < 2:
            keyed = self._keyed_later(window)
            source = batch_keyed(keyed, BATCH_SIZE, span)
        else:
            on_profiles = population.update if population.out else None
            source = parallel_batches(
                self.model,
                actors,
                window,
                parallel,
                on_profiles,
                arrive=population.arrival,
            )
        try:
            yield from limit_batches(source, count)
        except GeneratorExit as stop:  # closed early: --count, Ctrl-C, a closed pipe
            _close(source)
            if not _closed_by_failure(stop):
                population.save()
            raise
        except DatagenError:
            _close(source)
            raise
        except Exception as exc:  # the model's code (a user's script) failed
            _close(source)
            raise ProviderError(model_failure(self.name, exc)) from exc
        except BaseException:  # a failed run leaves every file as it was
            _close(source)
            raise
        _close(source)
        population.save()

    def run(
        self,
        start: str | datetime | None = None,
        end: str | datetime | None = None,
        ticks: int | None = None,
        duration: str | float | None = None,
        count: int | None = None,
        timezone: str = "UTC",
        workers: int = 1,
    ) -> Iterator[dict[str, Any]]:
        """Each event, as a dict, in time order (see window() for the options)."""
        window = self.window(start, end, ticks, duration, timezone)
        for batch in self.batches(window, workers, count):
            yield from batch.events()


def _as_time(value: str | datetime, option: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=DEFAULT_START.tzinfo)
    return parse_time(value, option)


def _text(value: str | datetime) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _name(source: Any) -> str:
    name = getattr(source, "name", None)
    if isinstance(name, str):
        return name
    return getattr(source, "__name__", type(source).__name__)


def _closed_by_failure(stop: BaseException) -> bool:
    """True when the stream was closed while its consumer handled an error
    (a sink failed): the run failed, so no profiles file is written."""
    cause = stop.__context__
    while isinstance(cause, GeneratorExit):
        cause = cause.__context__
    return cause is not None and not isinstance(
        cause, (KeyboardInterrupt, BrokenPipeError, StopIteration)
    )


def _close(source: Iterator[Batch]) -> None:
    """Close a batch source that can be closed (both of batches()' sources are
    generators: closing one stops its worker processes)."""
    close = getattr(source, "close", None)
    if close is not None:
        close()
