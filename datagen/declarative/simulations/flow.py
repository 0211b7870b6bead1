"""`model: flow`: the engine's event Flow (faker-events' model) from a declaration.

Each declared event becomes an engine Event whose profiler draws the event's
`let` fields, skips the event when `when` is false (faker-events' "skip": it
still counts to the limit), applies `set` to the actor's profile, then makes
the event's `fields`. Events naming the same `data` share their data per actor
as faker-events' equal templates do: an event carries what the earlier ones of
its group set, and `event.id` counts the group's events. `profile` fields are
drawn once per actor and added to its profile (a profile that has them, from a
--profiles file, keeps its own).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from datagen.declarative.expressions import Expression, compile_expression
from datagen.declarative.problems import (
    FieldPath,
    Problems,
    dotted,
    nearest,
    unknown_keys,
)
from datagen.declarative.simulations.common import (
    Fields,
    SeededField,
    compiled_fields,
    count_at,
    failed,
    identifier_at,
    mapping_at,
    names_at,
    number_at,
    text_at,
)
from datagen.engine.actors import Actor, Profile
from datagen.engine.model import Emission, Window
from datagen.engine.models.flows import SKIP, Event, EventContext, Flow

KEYS = ("profile", "first", "events")
EVENT_KEYS = (
    "epm",
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
    epm: float
    limit: int
    group: bool
    next: list[str]
    data: str
    let: Fields | None
    when: Expression | None
    sets: list[tuple[str, Expression]]
    fields: Fields
    keys: list[str] = field(default_factory=list)


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


def compile_flow(
    data: Mapping[str, Any],
    problems: Problems,
    name: str,
    description: str,
    locale: str,
    origin: str,
    actors: int | None,
    duration: float | None,
) -> Flows | None:
    """The checked declaration (every problem added), or None when it has any."""
    before = len(problems)
    profile = None
    if data.get("profile") is not None:
        spec = mapping_at(data["profile"], ("profile",), problems)
        if spec:
            profile = compiled_fields(spec, ("profile",), problems, locale, [PROFILE])
    events = _events(data.get("events"), problems, locale)
    names = list(events)
    first = names[:1]
    if "first" in data:
        first = names_at(data["first"], ("first",), problems, "event names") or []
        for index, event in enumerate(first):
            if event not in events:
                problems.add(("first", index), _unknown_event(event, names))
        if not first:
            problems.add(("first",), "must name at least one event")
    for event, declared in events.items():
        for index, following in enumerate(declared.next):
            if following not in events:
                problems.add(
                    ("events", event, "next", index), _unknown_event(following, names)
                )
    if len(problems) > before:
        return None
    _check_reached(events, first, problems)
    if len(problems) > before:
        return None
    return Flows(
        name, description, origin, profile, first, events, locale, actors, duration
    )


def _unknown_event(name: str, names: list[str]) -> str:
    listed = ", ".join(names) or "none"
    return f"'{name}' is not an event (events: {listed}){nearest(name, names)}"


def _check_reached(
    events: Mapping[str, Declared], first: list[str], problems: Problems
) -> None:
    """A problem for each event no flow reaches (a mistyped or dropped `next`)."""
    reached: set[str] = set()
    pending = list(first)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(events[name].next)
    for name in events:
        if name not in reached:
            problems.add(
                ("events", name),
                "is never reached: it is in no event's `next` nor in `first`",
            )


def _events(value: Any, problems: Problems, locale: str) -> dict[str, Declared]:
    path: FieldPath = ("events",)
    if value is None:
        problems.add(path, "missing: the events, by name")
        return {}
    specs = mapping_at(value, path, problems, "a mapping of event names to events")
    if specs is None:
        return {}
    if not specs:
        problems.add(path, "must declare at least one event")
    events = {}
    for name, item in specs.items():
        at: FieldPath = (*path, str(name))
        if identifier_at(name, at, problems) is None:
            continue
        spec = mapping_at(item, at, problems, "an event (fields, epm, next, ...)")
        if spec is None:
            continue
        declared = _event(str(name), spec, at, problems, locale)
        if declared is not None:
            events[str(name)] = declared
    return events


def _event(
    name: str, spec: Mapping[str, Any], at: FieldPath, problems: Problems, locale: str
) -> Declared | None:
    before = len(problems)
    unknown_keys(spec, EVENT_KEYS, at, problems)
    epm = 60.0
    if "epm" in spec:
        epm = number_at(spec["epm"], (*at, "epm"), problems, above=0) or epm
    limit = 1
    if "limit" in spec:
        limit = count_at(spec["limit"], (*at, "limit"), problems, 0) or 0
    group = spec.get("group", False)
    if not isinstance(group, bool):
        problems.add((*at, "group"), f"must be true or false, not {group!r}")
    elif group and limit == 0:
        problems.add(
            (*at, "group"),
            "an event with limit 0 cannot be grouped: it would repeat forever at "
            "one time",
        )
    following: list[str] | None = []
    if spec.get("next") is not None:
        following = names_at(spec["next"], (*at, "next"), problems, "event names")
    data = name
    if "data" in spec:
        data = text_at(spec["data"], (*at, "data"), problems) or name
    let, let_names = None, []
    if spec.get("let") is not None:
        lets = mapping_at(spec["let"], (*at, "let"), problems)
        if lets:
            let_names = list(lets)
            for reserved in (PROFILE, EVENT):
                if reserved in lets:
                    problems.add(
                        (*at, "let", reserved),
                        f"'{reserved}' is the name of the {reserved} in expressions",
                    )
            let = compiled_fields(
                lets, (*at, "let"), problems, locale, [PROFILE, EVENT]
            )
    names = [PROFILE, EVENT, *let_names]
    when = None
    if "when" in spec:
        when = compile_expression(_text(spec["when"]), (*at, "when"), problems, names)
    sets: list[tuple[str, Expression]] = []
    if spec.get("set") is not None:
        updates = mapping_at(spec["set"], (*at, "set"), problems) or {}
        for key, text in updates.items():
            place = (*at, "set", str(key))
            if identifier_at(key, place, problems) is None:
                continue
            expression = compile_expression(_text(text), place, problems, names)
            if expression is not None:
                sets.append((str(key), expression))
    fields = None
    if "fields" not in spec:
        problems.add((*at, "fields"), "missing: the event's fields")
    else:
        specs = mapping_at(spec["fields"], (*at, "fields"), problems)
        if specs is not None and not specs:
            problems.add((*at, "fields"), "must declare at least one field")
        elif specs:
            fields = compiled_fields(
                specs, (*at, "fields"), problems, locale, [PROFILE, EVENT, *let_names]
            )
    if len(problems) > before or fields is None or following is None:
        return None
    declared = Declared(
        name, dotted(at), epm, limit, group, following, data, let, when, sets, fields
    )
    declared.keys = [str(key) for key in spec["fields"]]
    return declared


def _text(value: Any) -> Any:
    """An expression as text: a number or true/false is one too."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    return value
