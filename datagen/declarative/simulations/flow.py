"""`model: flow`: the engine's event Flow (faker-events' model) from a declaration.

Each declared event becomes an engine Event whose profiler draws the event's
`let` fields, skips the event when `when` is false (faker-events' "skip": it
still counts to the limit), applies `set` to the actor's profile, then makes
the event's `fields`. An event with a `schedule` (cron text) fires at its
times in the run's time zone instead of `epm` a minute. Events naming the
same `data` share their data per actor as faker-events' equal templates do:
an event carries what the earlier ones of its group set, and `event.id`
counts the group's events. `profile` fields are drawn once per actor and
added to its profile (a profile that has them, from a --profiles file, keeps
its own).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from datagen.declarative.expressions import Expression
from datagen.declarative.simulations.common import Fields, SeededField, failed
from datagen.engine.actors import Actor, Profile
from datagen.engine.model import Emission, Window
from datagen.engine.models.flows import SKIP, Event, EventContext, Flow
from datagen.engine.schedules import CronSchedule

KEYS = ("profile", "first", "events")
EVENT_KEYS = (
    "epm",
    "schedule",
    "limit",
    "group",
    "next",
    "data",
    "let",
    "when",
    "set",
    "fields",
)
#: The names expressions of an event read besides its `let` fields.
PROFILE, EVENT = "profile", "event"


@dataclass(frozen=True)
class _Mark:
    """The template value that keeps data groups with the same keys apart
    (faker-events shares the data of equal templates); never emitted."""

    group: str


@dataclass
class Declared:
    """One checked event declaration."""

    name: str
    where: str
    epm: float | None
    limit: int
    group: bool
    next: list[str]
    data: str
    let: Fields | None
    when: Expression | None
    sets: list[tuple[str, Expression]]
    fields: Fields
    keys: list[str] = field(default_factory=list)
    schedule: CronSchedule | None = None


@dataclass
class Flows:
    """A checked flow declaration, ready to build models from."""

    name: str
    description: str
    origin: str
    profile: Fields | None
    first: list[str]
    events: dict[str, Declared]
    locale: str
    actors: int | None
    duration: float | None


class DeclaredFlow(Flow):
    """A Flow whose actors' profiles get the declared `profile` fields first."""

    def __init__(self, flows: Flows) -> None:
        self.flows = flows
        self._field = SeededField(flows.locale)
        templates = _templates(flows.events)
        events = {
            name: Event(
                templates[spec.data],
                self._profiler(spec, templates[spec.data]),
                limit=spec.limit,
                group_by=spec.group,
                epm=spec.epm,
                name=name,
                schedule=spec.schedule,
            )
            for name, spec in flows.events.items()
        }
        for name, event in events.items():
            event.next = [events[following] for following in flows.events[name].next]
        super().__init__(
            [events[name] for name in flows.first], flows.name, flows.description
        )
        if flows.actors is not None:
            self.default_actors = flows.actors
        if flows.duration is not None:
            self.default_duration = flows.duration

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        flows = self.flows
        if flows.profile is not None:
            now = datetime.fromtimestamp(window.start, window.timezone)
            names = {PROFILE: actor.profile}
            try:
                made = flows.profile.make(
                    self._field, actor.rng, now, actor.index, names
                )
            except Exception as exc:
                raise failed(flows.origin, PROFILE, exc) from exc
            for key, value in made.items():
                actor.profile.setdefault(key, value)
        return super().actor_events(actor, window)

    def _profiler(self, spec: Declared, template: dict[str, Any]) -> Any:
        """The engine profiler of one declared event: let, when, set, fields."""
        first = next(iter(template))
        origin, where, field_ = self.flows.origin, spec.where, self._field
        name = spec.name

        def profiler(context: EventContext, profile: Profile) -> Any:
            data = context.data
            if type(data.get(first)) is _Mark:
                data[first] = None  # its group's first event leaves it out
            rng, number = context.random, context.id - 1
            now = datetime.fromtimestamp(context.epoch, timezone.utc)
            event = {"id": context.id, "time": context.time, "epoch": context.epoch}
            event["name"] = name
            names: dict[str, Any] = {PROFILE: profile, EVENT: event}
            try:
                if spec.let is not None:
                    lets = spec.let.make(field_, rng, now, number, names)
                    names = {**lets, PROFILE: profile, EVENT: event}
                if spec.when is not None and not spec.when.evaluate(names, rng):
                    return SKIP
                for key, expression in spec.sets:
                    profile[key] = expression.evaluate(names, rng)
                return spec.fields.make(field_, rng, now, number, names)
            except Exception as exc:
                raise failed(origin, where, exc) from exc

        return profiler


def _templates(events: Mapping[str, Declared]) -> dict[str, dict[str, Any]]:
    """data group -> its template: every key its events make, in the order
    first made, the first holding the group's mark."""
    keys: dict[str, list[str]] = {}
    for spec in events.values():
        made = keys.setdefault(spec.data, [])
        made.extend(key for key in spec.keys if key not in made)
    templates = {}
    for group, names in keys.items():
        template: dict[str, Any] = dict.fromkeys(names)
        if names:
            template[names[0]] = _Mark(group)
        templates[group] = template
    return templates
