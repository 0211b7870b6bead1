"""faker-events' Event on datagen's flows, with its profiler conventions kept.

A profiler written for faker-events gets what it expects: `event.data`,
`event.id`, `event.time` (and the older `self.event`, `self.event_id`,
`self.event_time`), and a returned dict updates only the keys the template
declares, as faker-events documents ("all values must be declared"). The
generator runs a copy of the flows whose rates are scaled so that `epm` is
events per minute for the whole generator, as in faker-events, rather than
per profile as in datagen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datagen.engine.actors import Actor, Profile
from datagen.engine.model import Emission, Window
from datagen.engine.models import flows
from datagen.engine.models.flows import SKIP, EventContext
from datagen.errors import ConfigError


class Event(flows.Event):
    """faker-events' Event: `Event(data, profiler=None, limit=1, group_by=False)`.

    limit 0 (or None, as in faker-events 0.x) repeats for as long as the run
    lasts; `group_up` is the older spelling of group_by; epm weighs this event's
    share of the generator's rate. `a >> b`, `a & b`, `a >> [b, c]` and
    `a.next = b` chain events as in faker-events. `schedule` (a datagen
    addition, the open item of faker-events' to-do list): cron text such as
    "0 9 * * MON-FRI" giving the event's times, in the generator's time zone,
    instead of epm.
    """

    def __init__(
        self,
        data: dict[str, Any],
        profiler: Any = None,
        limit: int | None = 1,
        group_by: bool = False,
        epm: float | None = None,
        *,
        group_up: bool = False,
        name: str | None = None,
        schedule: str | None = None,
    ) -> None:
        wrapped = _Profiler(profiler) if callable(profiler) else profiler
        super().__init__(
            data,
            wrapped,
            0 if limit is None else limit,
            bool(group_by or group_up),
            epm,
            name,
            schedule,
        )
        #: The first event of the `a >> b >> c` expression that reached this one,
        #: for the 1.0 API's `eg.events = a >> b >> c`.
        self.chain_head: Event | None = None

    def __rshift__(self, other: flows.Event | list[flows.Event]) -> Any:
        """a >> b: b follows a; returns b, which remembers a's chain."""
        result = super().__rshift__(other)
        for following in self.next:
            if isinstance(following, Event) and following is not self:
                following.chain_head = self.chain_head or self
        return result


class _Profiler:
    """A faker-events profiler called as datagen's flows call one."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.__name__ = getattr(function, "__name__", "profiler")

    def __call__(self, context: EventContext, profile: Profile) -> Any:
        returned = self.function(EventView(context), profile)
        if isinstance(returned, dict):
            return declared_updates(context.data, returned)
        if isinstance(returned, str) and returned == SKIP:
            return SKIP
        return None  # faker-events ignores any other answer


class EventView:
    """What a faker-events profiler sees as `event` (or `self` in 0.x/1.0):
    data (the event being made), id, time, and their older names."""

    __slots__ = ("_context",)

    def __init__(self, context: EventContext) -> None:
        self._context = context

    @property
    def data(self) -> dict[str, Any]:
        return self._context.data

    event = data  # faker-events 1.0: self.event['key'] = ...

    @property
    def id(self) -> int:
        """This profile's count of events made from this template (1, 2, ...)."""
        return self._context.id

    event_id = id

    @property
    def time(self) -> str:
        """The event's time, ISO 8601 in the generator's time zone."""
        return self._context.time

    event_time = time

    @property
    def random(self) -> Any:
        """The profile's seeded random.Random: values that repeat with the seed."""
        return self._context.random


def declared_updates(data: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """The part of updates whose keys data declares (nested dicts key by key):
    faker-events leaves keys the template lacks out of the event."""
    kept: dict[str, Any] = {}
    for key, value in updates.items():
        if key not in data:
            continue
        current = data[key]
        if isinstance(current, dict) and isinstance(value, dict):
            kept[key] = declared_updates(current, value)
        else:
            kept[key] = value
    return kept


def as_first_events(events: Any, where: str) -> list[flows.Event]:
    """events (an Event or a list of Events) as a list; ConfigError if not."""
    if isinstance(events, flows.Event):
        return [events]
    if isinstance(events, Iterable) and not isinstance(events, (str, bytes, dict)):
        listed = list(events)
        if listed and all(isinstance(event, flows.Event) for event in listed):
            return listed
    raise ConfigError(f"{where}: give an Event or a list of Events, not {events!r}")


def scaled_copy(first_events: list[flows.Event], factor: float) -> list[flows.Event]:
    """A copy of the flows from first_events with every event's rate times
    factor (the copies keep their templates, so their data is shared alike;
    a scheduled event keeps its schedule, which no rate changes)."""
    copies: dict[int, flows.Event] = {}
    originals: list[flows.Event] = []
    pending = list(first_events)
    while pending:
        event = pending.pop()
        if id(event) in copies:
            continue
        copies[id(event)] = flows.Event(
            event.template,
            event.profiler,
            event.limit,
            event.group_by,
            None if event.schedule is not None else event.epm * factor,
            name=event.name,
            schedule=event.schedule,
        )
        originals.append(event)
        pending.extend(event.next)
    for event in originals:
        copies[id(event)].next = [copies[id(following)] for following in event.next]
    return [copies[id(event)] for event in first_events]


#: The template of faker-events' demo flow (its bundled example).
EXAMPLE_TEMPLATE = {
    "event_time": "",
    "type": "example",
    "event_id": "",
    "user_id": "",
    "first_name": "",
    "last_name": "",
    "spent": 0,
    "status": "normal",
}


def open_account(event: EventView, profile: Any) -> dict[str, Any]:
    """The demo's first event: the account of the profile's person."""
    return {
        "event_time": event.time,
        "event_id": str(event.id),
        "user_id": profile.id,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
    }


def make_payment(event: EventView, profile: Profile) -> None:
    """The demo's payments: each adds a random amount to `spent`."""
    event.data["event_time"] = event.time
    event.data["spent"] += event.random.randint(0, 99)


def example_events() -> list[flows.Event]:
    """faker-events' demo flow (what its CLI runs given no script): each
    profile opens an account, then makes two payments that add to `spent`."""
    opened = Event(dict(EXAMPLE_TEMPLATE), open_account, 1)
    opened >> Event(dict(EXAMPLE_TEMPLATE), make_payment, 2)
    return [opened]


class TrackedFlow:
    """A flow model that counts the profiles whose flows all ended, to tell
    'limit reached' from a stop by time or count."""

    name = "faker-events"
    description = "faker-events flows"
    default_duration = None

    def __init__(self, flow: flows.Flow) -> None:
        self.flow = flow
        self.finished = 0

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        yield from self.flow.actor_events(actor, window)
        self.finished += 1

    def finished_all(self, profiles: int) -> bool:
        return self.finished >= profiles
