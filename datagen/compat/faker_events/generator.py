"""faker-events' EventGenerator on datagen's Simulation and run loop.

The first events, the stream and the time zone are set on the class
(`EventGenerator.set_first_events(a)`, as faker-events scripts do); a
generator's own `events`, `stream` and `timezone` (the 1.0 API) override
them. `start()` / `live_stream()` pace the stream in wall-clock time at `epm`
events per minute until the flows end, Ctrl-C, or `count` events;
`batch(start, finish)` fills a simulated time window as fast as it can;
`create_events()` yields the events as dicts. Given no first events, the
generator runs faker-events' demo flow. `seed` (a datagen addition) repeats a
run exactly; `profiles_file` loads the profiles from a JSON file, or creates
and saves them there (faker-events' `-p`).

The module is a little long because it is one class, the original's: its
class-level settings, its three ways to run and the 1.0 spellings share the
generator's state, so split, each part would reach into the other.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from datagen.compat.faker_events.events import (
    TrackedFlow,
    as_first_events,
    example_events,
    scaled_copy,
)
from datagen.compat.faker_events.streams import Stream
from datagen.engine import scripts
from datagen.engine.actors import Profile
from datagen.engine.clock import LiveClock
from datagen.engine.model import Window
from datagen.engine.models import flows
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError
from datagen.runs.loop import as_base_sink, run_loop
from datagen.seeding import draw_seed
from datagen.compat.faker_events.timing import epoch_of, positive, released, zone_of


class _OnClassOrInstance:
    """A method that also runs when called on the class (on a generator made
    with the defaults): faker-events' README calls `EventGenerator.batch(...)`."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        self.__doc__ = method.__doc__

    def __get__(self, instance: Any, owner: type) -> Callable[..., Any]:
        target = instance if instance is not None else owner()
        return self.method.__get__(target, owner)


class EventGenerator:
    """`EventGenerator(num_profiles=10, timezone=None)`: profiles walking the
    first events' flows, each event sent to the stream.

    timezone: None for local time, hours from UTC (faker-events), or a zone
    name ('UTC', 'Europe/Paris', '+02:00'). stream (the 1.0 API) is a Stream
    or any object with send(message).
    """

    _first_events: ClassVar[list[flows.Event]] = []
    _stream: ClassVar[Any] = None
    _timezone: ClassVar[Any] = None
    #: The wall clock live runs are paced by (tests give their own).
    clock: ClassVar[LiveClock] = LiveClock()

    def __init__(
        self,
        num_profiles: int = 10,
        timezone: Any = None,
        stream: Any = None,
        use_profile_file: bool = False,
        fake: Any = None,
        *,
        seed: int | None = None,
        profiles_file: str | Path | None = None,
    ) -> None:
        if isinstance(num_profiles, bool) or not isinstance(num_profiles, int):
            raise ConfigError(
                "EventGenerator: num_profiles must be a whole number, not "
                f"{num_profiles!r}"
            )
        if num_profiles < 1:
            raise ConfigError(
                f"EventGenerator: num_profiles must be at least 1, not {num_profiles}"
            )
        self.num_profiles = num_profiles
        self.seed = draw_seed() if seed is None else seed
        self.timezone = timezone
        zone_of(timezone)  # a bad zone fails here, not at the first run
        if stream is not None:
            _check_stream(stream)
        self.stream = stream
        if use_profile_file and profiles_file is None:
            profiles_file = "profiles.json"  # faker-events 1.0's file name
        self.profiles_file = profiles_file
        self._events: list[flows.Event] | None = None
        self._simulation: Simulation | None = None
        #: Events the last run generated.
        self.total_count = 0

    # Settings shared by every generator (faker-events scripts set them).

    @classmethod
    def set_first_events(cls, events: Any, *_: Any) -> None:
        """The events every profile starts with (an Event or a list); also the
        flow `simulate --script` runs when a script sets them."""
        cls._first_events = as_first_events(events, "set_first_events")
        flows.set_first_events(cls._first_events)

    @classmethod
    def set_stream(cls, stream: Any) -> None:
        """Where every generator sends its events: a Stream or any object
        with send(message)."""
        _check_stream(stream)
        cls._stream = stream
        scripts.use_stream(stream)  # `simulate --script` sends there too

    @classmethod
    def set_timezone(cls, offset: Any) -> None:
        """The time zone of event times: hours from UTC, a zone name, or None
        for local time."""
        zone_of(offset)
        cls._timezone = offset

    @property
    def events(self) -> list[flows.Event]:
        """This generator's first events (the 1.0 API); `eg.events = a >> b >> c`
        starts the flows at a."""
        if self._events is not None:
            return self._events
        return list(self._first_events) or example_events()

    @events.setter
    def events(self, events: Any) -> None:
        head = getattr(events, "chain_head", None)
        self._events = as_first_events(head or events, "events")
        flows.set_first_events(self._events)

    @property
    def profiles(self) -> list[Profile]:
        """The profiles events are made for (changes made by profilers stay)."""
        return [actor.profile for actor in self._simulation_for().population.actors]

    # Runs

    @_OnClassOrInstance
    def create_events(self) -> Iterator[dict[str, Any]]:
        """The events, as dicts, made as they are read (no pacing), from now."""
        if scripts.loading():
            return
        tracked = TrackedFlow(self._flow(60.0))
        simulation = self._simulation_for(tracked)
        self.total_count = 0
        for batch in simulation.batches(self._window(self._now())):
            for event in batch.events():
                self.total_count += 1
                yield event
        _say(_LIMIT_REACHED.format(self.total_count))

    @_OnClassOrInstance
    def start(
        self, epm: float = 60, count: int | None = None, indent: int | None = None
    ) -> None:
        """Send the events live, `epm` a minute, until the flows end, Ctrl-C
        or `count` events (a datagen addition)."""
        if scripts.loading():
            return  # `simulate --script` runs the flow with its own options
        epm = positive(epm, "epm")
        tracked = TrackedFlow(self._flow(epm))
        window = self._window(self._now())
        self._run(
            tracked,
            window,
            count,
            epm / 60.0,
            indent,
            stopped="Stopping Event Stream.  {} in total generated.",
            ended="Event count reached.  {} in total generated",
        )

    @_OnClassOrInstance
    def live_stream(
        self, epm: float = 60, indent: int | None = None, count: int | None = None
    ) -> None:
        """faker-events 1.0's name for start()."""
        self.start(epm, count, indent)

    @_OnClassOrInstance
    def batch(
        self,
        start: datetime,
        finish: datetime,
        epm: float = 60,
        indent: int | None = None,
        count: int | None = None,
    ) -> None:
        """Send the events of the simulated time from start to finish, `epm`
        a minute, as fast as the machine allows."""
        if scripts.loading():
            return
        epm = positive(epm, "epm")
        zone = self._zone()
        first, last = epoch_of(start, zone, "start"), epoch_of(finish, zone, "finish")
        if last <= first:
            raise ConfigError(
                f"batch: finish {finish.isoformat()} is not after start "
                f"{start.isoformat()}"
            )
        tracked = TrackedFlow(self._flow(epm))
        window = Window(start=first, end=last, timezone=zone, seed=self.seed)
        self._run(
            tracked,
            window,
            count,
            None,
            indent,
            stopped="Stopping Event Batch.  {} in total generated.",
            ended="Finish time reached.  {} in total generated.",
        )

    def _run(
        self,
        tracked: TrackedFlow,
        window: Window,
        count: int | None,
        rate: float | None,
        indent: int | None,
        *,
        stopped: str,
        ended: str,
    ) -> None:
        """Send the run's events to the stream, `rate` a second when given;
        then say why it stopped as faker-events does: `stopped` after Ctrl-C,
        the event limit when every profile's flows ended, else `ended` ({} is
        the count)."""
        if count is not None and (isinstance(count, bool) or count < 1):
            raise ConfigError(f"count must be at least 1, not {count!r}")
        simulation = self._simulation_for(tracked)
        stream = self._current_stream()
        opened = stream.open(indent) if isinstance(stream, Stream) else stream
        sink = as_base_sink(opened)
        source = simulation.batches(window, 1, count)
        if rate is not None:
            source = released(source, rate, self.clock)
        result = run_loop(
            source,
            [sink],
            target=sink.describe(),
            seed=self.seed,
            requested=count,
            flush_each=rate is not None,
        )
        self.total_count = result.count
        if result.interrupted:
            _say("\n" + stopped.format(result.count))
        elif tracked.finished_all(self.num_profiles):
            _say(_LIMIT_REACHED.format(result.count))
        else:
            _say(ended.format(result.count))

    def _flow(self, epm: float) -> flows.Flow:
        """The first events' flows with rates making `epm` events a minute
        over all profiles (an event's own epm weighs it: 60 is 1x)."""
        factor = epm / 60.0 / self.num_profiles
        return flows.Flow(scaled_copy(self.events, factor), name="faker-events")

    def _simulation_for(self, model: Any = None) -> Simulation:
        """The generator's one Simulation (its profiles last between runs),
        running model from now on when given."""
        if self._simulation is None:
            self._simulation = Simulation(
                model or TrackedFlow(self._flow(60.0)),
                actors=self.num_profiles,
                seed=self.seed,
                profiles=self.profiles_file,
            )
        elif model is not None:
            self._simulation.model = model
        return self._simulation

    def _current_stream(self) -> Any:
        stream = self.stream if self.stream is not None else self._stream
        return stream if stream is not None else Stream("stdout")

    def _zone(self) -> tzinfo:
        return zone_of(self.timezone if self.timezone is not None else self._timezone)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _window(self, start: float) -> Window:
        return Window(start=start, end=None, timezone=self._zone(), seed=self.seed)


def _check_stream(stream: Any) -> None:
    if not callable(getattr(stream, "send", None)):
        raise ConfigError(
            f"set_stream: {stream!r} has no send(message) method (use a Stream "
            "or an object with one)"
        )


#: What faker-events says when every profile's flows have ended.
_LIMIT_REACHED = "Event limit reached.  {} in total generated"


def _say(message: str) -> None:
    """A status line on stderr, where faker-events prints its own."""
    print(message, file=sys.stderr)
