"""Checking a `model: flow` declaration into Flows: the profile fields, the
events (epm or schedule, limit, group, next, data, let, when, set, fields)
and `first`, every problem added at its field path (all of them, for
`validate`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datagen.declarative.problems import (
    FieldPath,
    Problems,
    dotted,
    nearest,
    unknown_keys,
)
from datagen.declarative.simulations.steps import compile_steps
from datagen.declarative.simulations.common import (
    compiled_fields,
    count_at,
    identifier_at,
    mapping_at,
    names_at,
    number_at,
    text_at,
)
from datagen.engine.schedules import CronSchedule, schedule_problem
from datagen.declarative.simulations.flow import (
    EVENT,
    EVENT_KEYS,
    PROFILE,
    Declared,
    Flows,
)


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
    epm = None
    if "epm" in spec:
        epm = number_at(spec["epm"], (*at, "epm"), problems, above=0)
    schedule = _schedule(spec, at, problems)
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
    lets = spec.get("let")
    for reserved in (PROFILE, EVENT):
        if isinstance(lets, Mapping) and reserved in lets:
            problems.add(
                (*at, "let", reserved),
                f"'{reserved}' is the name of the {reserved} in expressions",
            )
    steps = compile_steps(
        spec,
        at,
        problems,
        locale,
        [PROFILE, EVENT],
        lambda key, place: identifier_at(key, place, problems),
    )
    let, let_names, when, sets = steps.let, steps.let_names, steps.when, steps.sets
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
    declared.schedule = schedule
    return declared


def _schedule(
    spec: Mapping[str, Any], at: FieldPath, problems: Problems
) -> CronSchedule | None:
    """The event's `schedule` (cron text), None when it has none or a problem
    (one too when `epm` is given as well)."""
    if spec.get("schedule") is None:
        return None
    text, place = spec["schedule"], (*at, "schedule")
    problem = schedule_problem(text)
    if problem is not None:
        problems.add(place, problem)
        return None
    if "epm" in spec:
        problems.add(
            place,
            "give epm or schedule, not both: a scheduled event fires at its times",
        )
        return None
    return CronSchedule(text, dotted(place))
