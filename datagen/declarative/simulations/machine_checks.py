"""Checking a `model: state_machine` declaration into a Machine: states,
tick, subject, transitions (each a Rule: let, when, set, emit) and event,
every problem added at its field path (all of them, for `validate`).

It is a little long because each key of a transition (name, from, to,
percent, let, when, set, emit) is checked where it is read, so each problem
names its own path, and checking goes on after one to find the rest."""

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
    Fields,
    compiled_fields,
    identifier_at,
    mapping_at,
    names_at,
    number_at,
    seconds_at,
    text_at,
)
from datagen.declarative.simulations.state_machine import (
    DEFAULT_ID,
    DEFAULT_TICK,
    EVENT_KEYS,
    RESERVED,
    SUBJECT_KEYS,
    TRANSITION_KEYS,
    TRANSITION_NAMES,
    Machine,
    Rule,
)


def compile_machine(
    data: Mapping[str, Any],
    problems: Problems,
    name: str,
    description: str,
    locale: str,
    origin: str,
    actors: int | None,
    duration: float | None,
) -> Machine | None:
    """The checked declaration (every problem added), or None when it has any."""
    before = len(problems)
    states = _states(data, problems)
    initial = _initial(data, states, problems)
    tick = DEFAULT_TICK
    if "tick" in data:
        tick = seconds_at(data["tick"], ("tick",), problems) or DEFAULT_TICK
    if round(tick * 1000) < 1:
        problems.add(("tick",), "must be at least 1ms")
    id_name, attribute_spec, attributes = _subject(
        data.get("subject"), problems, locale
    )
    transitions = _transitions(
        data, states, attribute_spec, id_name, problems, origin, locale
    )
    let_names = {name: None for t in transitions for name in t[4].let_names}
    shown, event_fields = _event(
        data.get("event"), id_name, attribute_spec, list(let_names), problems, locale
    )
    if attributes is None and attribute_spec:
        return None
    if len(problems) > before or initial is None:
        return None
    return Machine(
        name,
        description,
        origin,
        states,
        initial,
        max(1, round(tick * 1000)),
        transitions,
        id_name,
        attributes,
        shown,
        event_fields,
        locale,
        actors,
        duration,
    )


def _states(data: Mapping[str, Any], problems: Problems) -> list[str]:
    if "states" not in data:
        problems.add(("states",), "missing: the list of state names")
        return []
    states = names_at(data["states"], ("states",), problems, "state names") or []
    if not states and isinstance(data["states"], list) and not data["states"]:
        problems.add(("states",), "must name at least one state")
    return states


def _initial(
    data: Mapping[str, Any], states: list[str], problems: Problems
) -> str | None:
    if "initial" not in data:
        if states:
            return states[0]  # the first state listed
        return None
    initial = text_at(data["initial"], ("initial",), problems)
    if initial is not None and states and initial not in states:
        problems.add(("initial",), _not_a_state(initial, states))
        return None
    return initial


def _not_a_state(name: str, states: list[str]) -> str:
    listed = ", ".join(states)
    return f"'{name}' is not one of the states ({listed}){nearest(name, states)}"


def _subject(
    value: Any, problems: Problems, locale: str
) -> tuple[str, dict[str, Any], Fields | None]:
    """(the id attribute's name, the attributes' spec, their maker)."""
    path: FieldPath = ("subject",)
    if value is None:
        return DEFAULT_ID, {}, None
    spec = mapping_at(value, path, problems)
    if spec is None:
        return DEFAULT_ID, {}, None
    unknown_keys(spec, SUBJECT_KEYS, path, problems)
    id_name = DEFAULT_ID
    if "id" in spec:
        id_name = identifier_at(spec["id"], (*path, "id"), problems) or DEFAULT_ID
    if id_name in RESERVED:
        problems.add((*path, "id"), f"'{id_name}' is a key every event has already")
    attributes = spec.get("attributes")
    if attributes is None:
        return id_name, {}, None
    attribute_spec = mapping_at(attributes, (*path, "attributes"), problems)
    if not attribute_spec:
        return id_name, {}, None
    for name in attribute_spec:
        at = (*path, "attributes", name)
        if name == id_name:
            problems.add(at, f"'{name}' is the subject's id (subject.id)")
        elif name in RESERVED:
            problems.add(at, f"'{name}' is a key every event has already")
    maker = compiled_fields(
        attribute_spec, (*path, "attributes"), problems, locale, [id_name]
    )
    return id_name, attribute_spec, maker


def _transitions(
    data: Mapping[str, Any],
    states: list[str],
    attribute_spec: Mapping[str, Any],
    id_name: str,
    problems: Problems,
    origin: str,
    locale: str,
) -> list[tuple[str, str, str, float, Rule]]:
    path: FieldPath = ("transitions",)
    value = data.get("transitions")
    if value is None:
        problems.add(path, "missing: the list of transitions")
        return []
    if not isinstance(value, list):
        problems.add(path, "must be a list of transitions")
        return []
    compiled: list[tuple[str, str, str, float, Rule]] = []
    totals: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(value):
        at: FieldPath = (*path, index)
        spec = mapping_at(item, at, problems, "a transition (name, from, to, percent)")
        if spec is None:
            continue
        unknown_keys(spec, TRANSITION_KEYS, at, problems)
        for key in ("name", "from", "to", "percent"):
            if key not in spec:
                problems.add((*at, key), "missing")
        trigger = (
            text_at(spec["name"], (*at, "name"), problems) if "name" in spec else None
        )
        ends = []
        for key in ("from", "to"):
            state = text_at(spec[key], (*at, key), problems) if key in spec else None
            if state is not None and states and state not in states:
                problems.add((*at, key), _not_a_state(state, states))
                state = None
            ends.append(state)
        source, target = ends
        percent = None
        if "percent" in spec:
            percent = number_at(spec["percent"], (*at, "percent"), problems, 0, 100)
        if trigger is not None and source is not None:
            if (source, trigger) in seen:
                problems.add(
                    (*at, "name"),
                    f"state '{source}' already has a transition '{trigger}'",
                )
            seen.add((source, trigger))
        if source is not None and percent is not None:
            total = totals.get(source, 0.0) + percent
            if total > 100 + 1e-9 >= totals.get(source, 0.0):
                problems.add(
                    (*at, "percent"),
                    f"the percents out of state '{source}' sum to {total:g}, "
                    "more than 100",
                )
            totals[source] = total
        rule = _rule(spec, at, attribute_spec, id_name, problems, origin, locale)
        if (
            rule is not None
            and trigger is not None
            and source is not None
            and target is not None
            and percent is not None
        ):
            rule.moves = {"trigger": trigger, "from_state": source, "to_state": target}
            compiled.append((trigger, source, target, percent, rule))
    return compiled


def _rule(
    spec: Mapping[str, Any],
    at: FieldPath,
    attribute_spec: Mapping[str, Any],
    id_name: str,
    problems: Problems,
    origin: str,
    locale: str,
) -> Rule | None:
    before = len(problems)

    def set_target(attribute: Any, place: FieldPath) -> str | None:
        if attribute == id_name:
            problems.add(place, f"'{attribute}' is the subject's id: it is not set")
            return None
        if attribute not in attribute_spec:
            known = list(attribute_spec)
            problems.add(
                place,
                f"'{attribute}' is not an attribute of the subject "
                f"(subject.attributes: {', '.join(known) or 'none'})"
                + nearest(str(attribute), known),
            )
            return None
        return str(attribute)

    steps = compile_steps(
        spec, at, problems, locale, [id_name, *attribute_spec], set_target
    )
    let, let_names, when, sets = steps.let, steps.let_names, steps.when, steps.sets
    streams = None
    if "emit" in spec:
        listed = names_at(spec["emit"], (*at, "emit"), problems, "stream names")
        streams = tuple(listed) if listed is not None else None
    if len(problems) > before:
        return None
    return Rule(origin, dotted(at), let, when, sets, streams, let_names)


def _event(
    value: Any,
    id_name: str,
    attribute_spec: Mapping[str, Any],
    let_names: list[str],
    problems: Problems,
    locale: str,
) -> tuple[list[str], Fields | None]:
    """(the attributes events carry, the maker of the event's own fields)."""
    known = [id_name, *attribute_spec]
    path: FieldPath = ("event",)
    if value is None:
        return known, None
    spec = mapping_at(value, path, problems)
    if spec is None:
        return known, None
    unknown_keys(spec, EVENT_KEYS, path, problems)
    shown = known
    if "attributes" in spec:
        listed = names_at(spec["attributes"], (*path, "attributes"), problems, "names")
        shown = []
        for index, name in enumerate(listed or []):
            if name in known:
                shown.append(name)
            else:
                problems.add(
                    (*path, "attributes", index),
                    f"'{name}' is not an attribute of the subject "
                    f"({', '.join(known)}){nearest(name, known)}",
                )
    maker = None
    if spec.get("fields") is not None:
        fields = mapping_at(spec["fields"], (*path, "fields"), problems)
        if fields:
            for name in fields:
                if name in RESERVED or name in shown:
                    problems.add(
                        (*path, "fields", name),
                        f"'{name}' is a key the event has already",
                    )
            names = [*known, *TRANSITION_NAMES, *let_names]
            maker = compiled_fields(fields, (*path, "fields"), problems, locale, names)
    return shown, maker
