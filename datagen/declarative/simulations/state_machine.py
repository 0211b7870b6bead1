"""`model: state_machine`: the engine's StateMachine from a declaration.

Each transition becomes one `add_transition` whose action callback draws its
`let` fields, refuses the transition when `when` is false (as a callback
returning False does), then applies `set` to the subject's attributes. The
subject is the actor's id plus `subject.attributes` drawn per actor; events
carry the attributes `event.attributes` names and `event.fields` drawn per
event. `emit` labels a transition's events with `stream` (one event per
stream named, none for `emit: []`), so `--route stream=NAME=SPEC` sends each
stream to its own sink.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
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
    failed,
    identifier_at,
    mapping_at,
    names_at,
    number_at,
    seconds_at,
    text_at,
)
from datagen.engine.actors import Actor
from datagen.engine.model import Emission, Window
from datagen.engine.models.state_machine import StateMachine, Transition
from datagen.timefmt import DEFAULT_START

KEYS = ("states", "initial", "tick", "transitions", "subject", "event")
TRANSITION_KEYS = ("name", "from", "to", "percent", "when", "let", "set", "emit")
SUBJECT_KEYS = ("id", "attributes")
EVENT_KEYS = ("attributes", "fields")
#: The key of the stream a transition's event goes to (with `emit`).
STREAM = "stream"
#: What event fields read besides the subject's attributes and `let` fields.
TRANSITION_NAMES = ("trigger", "from_state", "to_state")
#: Keys every event has: no subject attribute or event field may take them.
RESERVED = ("timestamp", "trigger", "from_state", "to_state", STREAM)
DEFAULT_ID = "subject_id"
DEFAULT_TICK = 60.0


@dataclass
class Rule:
    """What one transition does beyond moving: its compiled declaration."""

    origin: str  # the declaration's file (or name), for run-time messages
    where: str  # "transitions[2]"
    let: Fields | None
    when: Expression | None
    sets: list[tuple[str, Expression]]
    streams: tuple[str, ...] | None  # None: one event without a stream key
    let_names: list[str]
    #: trigger, from_state and to_state, as event fields read them.
    moves: dict[str, str] = field(default_factory=dict)


@dataclass
class Machine:
    """A checked state machine declaration, ready to build models from."""

    name: str
    description: str
    origin: str
    states: list[str]
    initial: str
    tick_ms: int
    transitions: list[tuple[str, str, str, float, Rule]]
    id_name: str
    attributes: Fields | None
    shown: list[str]  # the subject attributes events carry, in order
    event_fields: Fields | None
    locale: str
    actors: int | None
    duration: float | None


class Subject:
    """One actor's subject: its attributes, and what the transition being
    taken drew (for the event's fields)."""

    __slots__ = ("attributes", "rng", "index", "now", "lets", "rule", "count")

    def __init__(
        self, attributes: dict[str, Any], rng: random.Random, index: int, now: datetime
    ) -> None:
        self.attributes = attributes
        self.rng = rng
        self.index = index
        self.now = now
        self.lets: dict[str, Any] = {}
        self.rule: Rule | None = None
        self.count = 0


class DeclaredStateMachine(StateMachine):
    """A StateMachine whose subjects, rules and events come from a declaration."""

    needs_profiles = False  # a subject is its id and declared attributes

    def __init__(self, machine: Machine) -> None:
        super().__init__(
            machine.states,
            machine.initial,
            self._subject,
            tick_ms=machine.tick_ms,
            event_fields=self._event_fields,
        )
        self.name = machine.name  # type: ignore[misc]
        self.description = machine.description  # type: ignore[misc]
        if machine.actors is not None:
            self.default_actors = machine.actors
        if machine.duration is not None:
            self.default_duration = machine.duration
        self.machine = machine
        self._field = SeededField(machine.locale)
        self._now = DEFAULT_START
        self._rules: dict[tuple[str, str], Rule] = {}
        self._fans_out = False
        for trigger, source, target, percent, rule in machine.transitions:
            self.add_transition(trigger, source, target, percent, self._act(rule))
            self._rules[(source, trigger)] = rule
            self._fans_out |= rule.streams is not None and len(rule.streams) != 1

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        """StateMachine's events; a transition that emits to several streams
        gives one event each, one that emits to none gives none."""
        self._now = datetime.fromtimestamp(window.start, window.timezone)
        events = super().actor_events(actor, window)
        if not self._fans_out:
            yield from events
            return
        rules = self._rules
        for moment, event in events:
            streams = rules[(event["from_state"], event["trigger"])].streams
            if streams is None or len(streams) == 1:
                yield moment, event
                continue
            for stream in streams:
                yield moment, {**event, STREAM: stream}

    def _subject(self, actor: Actor) -> Subject:
        machine = self.machine
        attributes: dict[str, Any] = {machine.id_name: actor.id}
        subject = Subject(attributes, actor.rng, actor.index, self._now)
        if machine.attributes is not None:
            try:
                attributes.update(self._make(machine.attributes, subject, attributes))
            except Exception as exc:
                raise failed(machine.origin, "subject.attributes", exc) from exc
        return subject

    def _make(
        self, fields: Fields, subject: Subject, names: dict[str, Any]
    ) -> dict[str, Any]:
        return fields.make(
            self._field, subject.rng, subject.now, subject.index, dict(names)
        )

    def _act(self, rule: Rule) -> Any:
        """The transition's action callback: let, when, set."""

        def act(subject: Subject, transition: Transition) -> bool:
            names = subject.attributes
            lets: dict[str, Any] = {}
            try:
                if rule.let is not None:
                    lets = self._make(rule.let, subject, names)
                    names = {**names, **lets}
                if rule.when is not None and not rule.when.evaluate(names, subject.rng):
                    return False
                for attribute, expression in rule.sets:
                    value = expression.evaluate(names, subject.rng)
                    subject.attributes[attribute] = value
                    if names is not subject.attributes:
                        names[attribute] = value
            except Exception as exc:
                raise failed(rule.origin, rule.where, exc) from exc
            subject.lets, subject.rule = lets, rule
            return True

        return act

    def _event_fields(self, subject: Subject) -> dict[str, Any]:
        machine, rule = self.machine, subject.rule
        attributes = subject.attributes
        fields: dict[str, Any] = {}
        if rule is not None and rule.streams:
            fields[STREAM] = rule.streams[0]
        for name in machine.shown:
            fields[name] = attributes[name]
        if machine.event_fields is not None:
            subject.count += 1
            names = {**attributes, **subject.lets}
            if rule is not None:
                names.update(rule.moves)
            try:
                fields.update(
                    machine.event_fields.make(
                        self._field, subject.rng, subject.now, subject.count - 1, names
                    )
                )
            except Exception as exc:
                raise failed(machine.origin, "event.fields", exc) from exc
        return fields


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
    let, let_names = None, []
    if spec.get("let") is not None:
        lets = mapping_at(spec["let"], (*at, "let"), problems)
        if lets:
            let_names = list(lets)
            let = compiled_fields(
                lets, (*at, "let"), problems, locale, [id_name, *attribute_spec]
            )
    names = [id_name, *attribute_spec, *let_names]
    when = None
    if "when" in spec:
        when = compile_expression(
            _expression_text(spec["when"]), (*at, "when"), problems, names
        )
    sets: list[tuple[str, Expression]] = []
    if spec.get("set") is not None:
        updates = mapping_at(spec["set"], (*at, "set"), problems) or {}
        for attribute, text in updates.items():
            place = (*at, "set", attribute)
            if attribute == id_name:
                problems.add(place, f"'{attribute}' is the subject's id: it is not set")
                continue
            if attribute not in attribute_spec:
                known = list(attribute_spec)
                problems.add(
                    place,
                    f"'{attribute}' is not an attribute of the subject "
                    f"(subject.attributes: {', '.join(known) or 'none'})"
                    + nearest(str(attribute), known),
                )
                continue
            expression = compile_expression(
                _expression_text(text), place, problems, names
            )
            if expression is not None:
                sets.append((attribute, expression))
    streams = None
    if "emit" in spec:
        listed = names_at(spec["emit"], (*at, "emit"), problems, "stream names")
        streams = tuple(listed) if listed is not None else None
    if len(problems) > before:
        return None
    return Rule(origin, dotted(at), let, when, sets, streams, let_names)


def _expression_text(value: Any) -> Any:
    """An expression as text: a number or true/false is one too."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    return value


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
