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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from datagen.declarative.expressions import Expression
from datagen.declarative.simulations.common import Fields, SeededField, failed
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
            if event is None:  # a wake-up
                yield moment, event
                continue
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
