"""Event flows: dict templates chained with >> and &, walked by every actor.

The faker-events model, run by the engine: `Event(template, profiler, limit)`;
`a >> b` makes b follow a, `a & b` makes b follow a at the same time,
`a >> [b, c]` starts two flows after a, and `set_first_events([a, b])` gives
every actor the flows it starts with. `schedule="0 9 * * MON-FRI"` makes an
event fire at the times a crontab line gives, in the run's time zone, instead
of after a random wait (engine/schedules.py). A profiler `(event, profile)`
returns a dict of updates (merged into the event's data), mutates
`event.data`, or returns "skip" (no event this time). Events built from equal
templates share their data per actor, so a later event of a flow carries
what earlier ones set.

The module is long because the Event API (operators, limits, profilers,
grouping) and the model that walks it share private state per actor; split,
each half would reach into the other.
"""

from __future__ import annotations

import dis
import heapq
import random
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from types import CodeType
from typing import Any, ClassVar

import orjson

from datagen.engine.actors import Actor, Profile
from datagen.engine.model import Emission, Window
from datagen.engine.schedules import CronSchedule, parse_schedule
from datagen.errors import ConfigError, DatagenError, ProviderError, first_line

Profiler = Callable[["EventContext", Profile], Any]
#: A profiler's answer meaning "no event this time" (it still counts to the limit).
SKIP = "skip"
#: Same-time events one actor may emit in a row before a grouped loop is an error.
_MAX_GROUPED = 100_000
#: An event's events per minute when neither epm nor schedule is given.
DEFAULT_EPM = 60.0


class Event:
    """One kind of event in a flow: a template, how to fill it, how often.

    limit: times each actor emits it before its flow moves on (0 = for as long
    as the run lasts, never moving on). epm: the actor's events per minute for
    this event (waits between events are exponential with mean 60/epm s;
    default 60). schedule: cron text (or a CronSchedule) instead of epm: each
    wait ends at the schedule's next time after the flow's previous event (at
    or after the run's start for a first event), in the run's time zone.
    group_by: the flow's next event happens at the same time as this one.
    """

    def __init__(
        self,
        template: dict[str, Any],
        profiler: Profiler | None = None,
        limit: int = 1,
        group_by: bool = False,
        epm: float | None = None,
        name: str | None = None,
        schedule: str | CronSchedule | None = None,
    ) -> None:
        if not isinstance(template, dict):
            raise ConfigError(f"Event: template must be a dict, not {template!r}")
        if limit is None or int(limit) < 0:
            raise ConfigError(f"Event {template!r}: limit must be 0 or more")
        if schedule is not None and epm is not None:
            raise ConfigError(
                f"Event {template!r}: give epm or schedule, not both (a scheduled"
                " event fires at its cron times)"
            )
        epm = DEFAULT_EPM if epm is None else epm
        if not epm > 0:
            raise ConfigError(f"Event {template!r}: epm must be positive, not {epm}")
        if profiler is not None and not callable(profiler):
            raise ConfigError(f"Event {template!r}: profiler must be callable")
        self.template = template
        self.profiler = profiler
        self.limit = int(limit)
        self.group_by = bool(group_by)
        self.epm = epm
        self.name = name or _name_of(template, profiler)
        self.schedule = (
            None
            if schedule is None
            else parse_schedule(schedule, f"flow event '{self.name}'")
        )
        self.key = _template_key(template)
        self._next: list[Event] = []

    @property
    def epm(self) -> float:
        """The actor's events per minute for this event (mean wait 60/epm s)."""
        return self.rate * 60.0

    @epm.setter
    def epm(self, value: float) -> None:
        self.rate = float(value) / 60.0  # per second, what expovariate takes

    @property
    def next(self) -> list[Event]:
        """The events that follow this one (each starts a flow of its own)."""
        return self._next

    @next.setter
    def next(self, events: Event | Iterable[Event] | None) -> None:
        self._next = _as_events(events, f"{self.name}.next")

    def __rshift__(self, other: Event | list[Event]) -> Any:
        """a >> b: b follows a; returns b, so a >> b >> c chains."""
        self.next = other
        return other

    def __and__(self, other: Event | list[Event]) -> Any:
        """a & b: b follows a at the same time (emitted together).

        `a & b >> c` is refused: Python reads it as `a & (b >> c)`, which
        groups a with c and leaves b out of a's flow.
        """
        if _and_of_a_chain():
            raise ConfigError(
                f"flow event '{self.name}': `a & b >> c` reads as "
                "`a & (b >> c)` (>> binds tighter than &): it groups a with c "
                "and drops b from a's flow; write `(a & b) >> c`"
            )
        self.next = other
        self.group_by = True
        return other

    def __repr__(self) -> str:
        scheduled = (
            "" if self.schedule is None else f", schedule={self.schedule.text!r}"
        )
        return (
            f"Event({self.name!r}, limit={self.limit}, group_by={self.group_by}"
            f"{scheduled})"
        )


class EventContext:
    """What a profiler sees as `event`: id, time, data, and the actor's random.

    data is this actor's copy of the template (shared by the events built from
    equal templates); id counts this actor's events of that template (1, 2, ...);
    time is ISO 8601 in the run's time zone; epoch the same in seconds; random
    the actor's seeded random.Random (use it, not `random`, so a seed repeats).
    """

    __slots__ = ("event", "id", "data", "epoch", "random", "_window", "_time")

    def __init__(
        self,
        event: Event,
        number: int,
        data: dict[str, Any],
        epoch: float,
        rng: random.Random,
        window: Window,
    ) -> None:
        self.event = event
        self.id = number
        self.data = data
        self.epoch = epoch
        self.random = rng
        self._window = window
        self._time: str | None = None

    @property
    def time(self) -> str:
        if self._time is None:
            self._time = self._window.iso(self.epoch)
        return self._time


class Flow:
    """A behaviour model made of event flows: every actor walks them all.

    Each of an actor's active flows keeps its own timer; the actor's next event
    is the one of the flow whose timer is earliest. A flow ends when its last
    event reaches its limit (or its schedule fires no more); the actor is done
    when no flow is left.
    """

    name: ClassVar[str] = "flow"
    description: ClassVar[str] = "Event flows (faker-events style)"
    default_duration: float | None = 3600.0

    def __init__(
        self,
        first_events: Event | Iterable[Event],
        name: str | None = None,
        description: str | None = None,
    ) -> None:
        self.first_events = _as_events(first_events, "set_first_events")
        if not self.first_events:
            raise ConfigError("set_first_events: give at least one Event")
        if name:
            self.name = name  # type: ignore[misc]
        if description:
            self.description = description  # type: ignore[misc]
        _check_grouping(self.first_events)

    @property
    def scheduled_only(self) -> bool:
        """True when every event has a schedule: its cron times, not a rate,
        say how often actors act (a live run's --rate cannot change them)."""
        return all(
            event.schedule is not None for event in _reachable(self.first_events)
        )

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        """The actor's events in time order (see the class docstring)."""
        rng, profile = actor.rng, actor.profile
        expovariate, heapreplace = _waits(rng, window.intensity), heapq.heapreplace
        zone = window.timezone
        # per template key: [this actor's data, events so far]
        states: dict[str, list[Any]] = {}
        # One context per actor, refilled for each event, as faker-events
        # refills its Event: profilers read it during their call only.
        context = EventContext(self.first_events[0], 0, {}, window.start, rng, window)
        order = 0
        # A slot is one active flow: [time, order, event, remaining]; ties in
        # time go to the older slot, so an actor's stream never depends on luck.
        slots: list[list[Any]] = []
        for event in self.first_events:
            if event.schedule is None:
                moment = window.start + expovariate(event.rate)
            else:
                fires = event.schedule.first_from(window.start, zone)
                if fires is None:
                    continue
                moment = fires
            slots.append([moment, order, event, event.limit])
            order += 1
        heapq.heapify(slots)
        grouped_in_a_row = 0
        while slots:
            slot = slots[0]
            moment, _, event, remaining = slot
            state = states.get(event.key)
            if state is None:
                state = states[event.key] = [_clone(event.template), 0]
            state[1] += 1
            data = state[0]
            if event.profiler is None:
                yield moment, _clone(data)
            else:
                context.event, context.id, context.data = event, state[1], data
                context.epoch, context._time = moment, None
                if _fill(event, context, profile):
                    yield moment, _clone(data)
            if remaining == 1:  # the flow moves on to the events that follow
                heapq.heappop(slots)
                for following in event.next:
                    if event.group_by:
                        at: float | None = moment
                    elif following.schedule is None:
                        at = moment + expovariate(following.rate)
                    else:  # None: it never fires, and its flow ends here
                        at = following.schedule.next_after(moment, zone)
                    if at is not None:
                        heapq.heappush(slots, [at, order, following, following.limit])
                        order += 1
            else:
                if not event.group_by:
                    slot[0] = (
                        moment + expovariate(event.rate)
                        if event.schedule is None
                        else event.schedule.next_after(moment, zone)
                    )
                if slot[0] is None:  # its schedule fires no more: its flow ends
                    heapq.heappop(slots)
                else:
                    slot[1], slot[3] = order, remaining - 1 if remaining else 0
                    order += 1
                    if len(slots) > 1:
                        heapreplace(slots, slot)
            if event.group_by:
                grouped_in_a_row += 1
                if grouped_in_a_row > _MAX_GROUPED:
                    raise ProviderError(
                        f"flow event '{event.name}': grouped events (&) loop "
                        "forever at one time; end the loop with >> or a limit"
                    )
            else:
                grouped_in_a_row = 0


def _waits(rng: random.Random, intensity: float) -> Callable[[float], float]:
    """rng.expovariate, drawing waits intensity times shorter (live --rate)."""
    if intensity == 1.0:
        return rng.expovariate
    return lambda rate: rng.expovariate(rate * intensity)


def _and_of_a_chain() -> bool:
    """True when the `&` running in the caller of Event.__and__ got, as its
    right operand, the value of a `>>` computed just before it (`a & b >> c`
    or `a & (b >> c)`): read from the caller's bytecode, since by then both
    operators have run and the values alone cannot tell."""
    try:
        frame = sys._getframe(2)
    except ValueError:
        return False
    return _operand_ops(frame.f_code).get(frame.f_lasti) == ">>"


@lru_cache(maxsize=256)
def _operand_ops(code: CodeType) -> dict[int, str]:
    """Offset of each binary operation in code -> the operator of the binary
    operation right before it ('' when the instruction before is another)."""
    found: dict[int, str] = {}
    before = ""
    for instruction in dis.get_instructions(code):
        if instruction.opname == "BINARY_OP":
            found[instruction.offset] = before
            before = instruction.argrepr
        else:
            before = ""
    return found


_latest_flow: list[Flow] = []


def set_first_events(events: Event | Iterable[Event], name: str | None = None) -> Flow:
    """The flows every actor starts with, as a Flow to run.

    Also remembered as the script's simulation, so a --script file written
    the faker-events way (calling only set_first_events) runs as it is.
    """
    flow = Flow(events, name=name)
    _latest_flow[:] = [flow]
    return flow


def latest_flow() -> Flow | None:
    """The Flow the last set_first_events() call made, if any."""
    return _latest_flow[0] if _latest_flow else None


def forget_latest_flow() -> None:
    _latest_flow.clear()


def _fill(event: Event, context: EventContext, profile: Profile) -> bool:
    """Run the event's profiler on context.data; False when it says skip."""
    if event.profiler is None:
        return True
    try:
        returned = event.profiler(context, profile)
    except DatagenError:
        raise
    except (Exception, SystemExit) as exc:
        # sys.exit() in a profiler is a failed profiler, not a finished run.
        raise ProviderError(
            f"flow event '{event.name}': profiler failed: {type(exc).__name__}: "
            f"{first_line(exc)}"
        ) from exc
    if returned is None:
        return True
    if isinstance(returned, dict):
        _check_json(event, returned)
        _merge(context.data, returned)
        return True
    if returned == SKIP or returned is False:
        return False
    raise ProviderError(
        f"flow event '{event.name}': profiler returned {returned!r}; "
        "return a dict of updates, None, or 'skip'"
    )


def _check_json(event: Event, updates: dict[str, Any]) -> None:
    """ProviderError naming the field and the event when a profiler's updates
    hold a value no sink can write (checked here, where the field is known,
    rather than failing later in an encoder)."""
    try:
        orjson.dumps(updates)
        return
    except TypeError:
        pass
    for key, value in updates.items():
        try:
            orjson.dumps({key: value})
        except TypeError:
            raise ProviderError(
                f"flow event '{event.name}': profiler set field '{key}' to "
                f"{type(value).__name__} {first_line(repr(value))[:80]}, "
                "which JSON cannot hold"
            ) from None
    raise ProviderError(
        f"flow event '{event.name}': profiler returned updates JSON cannot hold"
    )


def _merge(data: dict[str, Any], updates: dict[str, Any]) -> None:
    """Updates into data; nested dicts are merged key by key, not replaced."""
    if dict not in map(type, updates.values()):
        data.update(updates)
        return
    for key, value in updates.items():
        current = data.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        else:
            data[key] = value


_CONTAINERS = {dict, list}


def _clone(value: Any) -> Any:
    """A copy of dicts and lists, deep enough that later changes stay out."""
    if value.__class__ is dict:
        if _CONTAINERS.isdisjoint(map(type, value.values())):
            return value.copy()
        return {key: _clone(item) for key, item in value.items()}
    if value.__class__ is list:
        if _CONTAINERS.isdisjoint(map(type, value)):
            return value.copy()
        return [_clone(item) for item in value]
    return value


def _template_key(template: dict[str, Any]) -> str:
    """Equal templates get equal keys: they are one flow's data, as in faker-events."""
    try:
        return repr(sorted(template.items()))
    except TypeError:
        return repr(list(template.items()))


def _name_of(template: dict[str, Any], profiler: Profiler | None) -> str:
    for key in ("name", "Name", "event_type", "type"):
        if isinstance(template.get(key), str):
            return str(template[key])
    return getattr(profiler, "__name__", None) or "event"


def _as_events(events: Event | Iterable[Event] | None, where: str) -> list[Event]:
    if events is None:
        return []
    if isinstance(events, Event):
        return [events]
    try:
        listed = list(events)
    except TypeError:
        raise ConfigError(f"{where}: expected an Event or a list of Events") from None
    for item in listed:
        if not isinstance(item, Event):
            raise ConfigError(f"{where}: {item!r} is not an Event")
    return listed


def _reachable(first_events: list[Event]) -> Iterator[Event]:
    """Every event the flows from first_events reach, each once."""
    seen: set[int] = set()
    pending = list(first_events)
    while pending:
        event = pending.pop()
        if id(event) in seen:
            continue
        seen.add(id(event))
        yield event
        pending.extend(event.next)


def _check_grouping(first_events: list[Event]) -> None:
    """A grouped event with limit 0 would repeat forever at one time."""
    for event in _reachable(first_events):
        if event.group_by and event.limit == 0:
            raise ConfigError(
                f"flow event '{event.name}': limit=0 cannot be grouped (& or "
                "group_by=True): it would repeat forever at one time"
            )
