"""Probabilistic state machines: subjects move between states tick by tick.

The Python API mirrors doge-datagen's DataOnlineGenerator (states, an initial
state, a subject factory, tick length and count, `add_transition`), but a
subject's next transition time is drawn directly (a geometric number of
ticks) instead of visiting every subject every tick, so the cost follows the
events emitted, not subjects x ticks.

The module is a little long because doge-datagen's API (DataOnlineGenerator,
its sinks and callbacks) and the model it builds are kept in one place, so
the drop-in surface and the engine model cannot drift apart.
"""

from __future__ import annotations

import inspect
import math
import numbers
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any, ClassVar, Generic, TypeVar

from datagen.engine.actors import Actor, make_actor
from datagen.timefmt import DEFAULT_START
from datagen.engine.model import Edge, Graph
from datagen.engine.model import Emission, Window
from datagen.engine.runner import run_actors
from datagen.engine.models.subjects import SinkCall, event_fields_of, sink_call
from datagen.errors import ConfigError

S = TypeVar("S")

#: (subject, transition) -> False to cancel the transition; anything else goes ahead.
ActionCallback = Callable[[Any, "Transition"], Any]


class SubjectFactory(Generic[S]):
    """Creates the subject that walks the machine for one actor.

    Draw randomness from `actor.rng` (keep it on the subject for the callbacks)
    so a seed repeats the run; doge-style `create(self)` without the actor
    also works, but then the run is only as repeatable as its randomness.
    """

    def create(self, actor: Actor) -> S:
        raise NotImplementedError


class EventSink:
    """doge-datagen's sink shape: collect() per transition, close() at the end.

    A plain callable `(timestamp_ms, subject, transition)` works as well.
    """

    def collect(self, timestamp: int, subject: Any, transition: Transition) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Called once when StateMachine.start() finishes."""


@dataclass(eq=False)
class Transition:
    """One way out of a state: taken with `probability` percent each tick."""

    trigger: str
    from_state: str
    to_state: str
    probability: float
    action_callback: ActionCallback | None = None
    event_sinks: Sequence[Any] = ()
    calls: tuple[SinkCall, ...] = field(default=(), repr=False)


#: Per state: (1 / log(1 - p), cumulative percents, transitions); None if final.
_Table = tuple[float, list[float], list[Transition]]


#: Ticks a live run plays before it emits (its subjects leave the initial state).
WARM_UP_TICKS = 1_000
#: Spreads subjects' tick phases evenly over a tick, whatever their number.
_GOLDEN = 0.6180339887498949


class StateMachine:
    """A behaviour model: each actor's subject walks the states.

    Each tick a subject takes at most one transition; the percents out of a
    state sum to at most 100, the rest meaning "stay". A callback returning
    False cancels its transition (no event). Each transition taken becomes an
    event in the stream and calls its sinks with (timestamp in epoch
    milliseconds, subject, transition), in the stream's time order.
    """

    name: ClassVar[str] = "state_machine"
    description: ClassVar[str] = "a probabilistic state machine"
    #: A live run's subjects tick at most this much more often than tick_ms
    #: says; past it, more subjects join instead (engine.live).
    max_intensity = 100.0

    def __init__(
        self,
        states: Sequence[str],
        initial_state: str,
        subject_factory: SubjectFactory[Any] | Callable[..., Any] | None = None,
        subjects_num: int = 1,
        tick_ms: int = 60_000,
        ticks_num: int | None = None,
        timestamp_start: int | None = None,
        *,
        event_fields: Callable[[Any], dict[str, Any]] | None = None,
    ) -> None:
        self.states = list(states)
        self._check_state(initial_state, "initial state")
        if tick_ms <= 0:
            raise ConfigError(f"state machine: tick_ms must be positive, not {tick_ms}")
        self.initial_state = initial_state
        self.subject_factory = subject_factory
        self._create_subject = _subject_maker(subject_factory)
        self.subjects_num = subjects_num
        self.tick_ms = tick_ms
        self.ticks_num = ticks_num
        self.timestamp_start = (
            int(DEFAULT_START.timestamp() * 1000)
            if timestamp_start is None
            else timestamp_start
        )
        self.event_fields = event_fields or event_fields_of
        self.transitions: dict[str, list[Transition]] = {s: [] for s in self.states}
        self._tables: dict[str, _Table | None] | None = None

    @property
    def tick_seconds(self) -> float:
        return self.tick_ms / 1000

    def warm_up_seconds(self, intensity: float) -> float:
        """A live run starts with subjects spread over the states: it plays
        this many ticks (at its intensity) before it emits."""
        return WARM_UP_TICKS * self.tick_seconds / intensity

    def add_transition(
        self,
        trigger: str,
        from_state: str,
        to_state: str,
        probability: float,
        action_callback: ActionCallback | None = None,
        event_sinks: Sequence[Any] | None = None,
    ) -> Transition:
        """Add a way from from_state to to_state taken probability % of ticks.

        Raises ConfigError for an unknown state, a repeated trigger, a percent
        that is no number or negative, percents out of a state summing to more
        than 100, or an action_callback that cannot be called.
        """
        where = f"transition '{trigger}'"
        self._check_state(from_state, f"from_state of {where}")
        self._check_state(to_state, f"to_state of {where}")
        outgoing = self.transitions[from_state]
        if any(t.trigger == trigger for t in outgoing):
            raise ConfigError(
                f"state machine: state '{from_state}' already has a transition "
                f"'{trigger}'"
            )
        if (
            isinstance(probability, bool)
            or not isinstance(probability, numbers.Real)
            or not probability >= 0
        ):
            raise ConfigError(
                f"state machine: {where} has probability {probability!r}; "
                "percents are between 0 and 100"
            )
        total = sum(t.probability for t in outgoing) + probability
        if total > 100 + 1e-9:
            raise ConfigError(
                f"state machine: the percents out of state '{from_state}' sum to "
                f"{total:g}, more than 100 (adding '{trigger}')"
            )
        if action_callback is not None and not callable(action_callback):
            raise ConfigError(
                f"state machine: the action_callback of {where} is not callable: "
                f"{action_callback!r}"
            )
        sinks = tuple(event_sinks or ())
        transition = Transition(
            trigger,
            from_state,
            to_state,
            probability,
            None if action_callback is None else self._action(action_callback),
            sinks,
            tuple(map(sink_call, sinks)),
        )
        outgoing.append(transition)
        self._tables = None
        return transition

    def _action(self, callback: ActionCallback) -> ActionCallback:
        """The action callback as a transition keeps it (a subclass may wrap
        it in rules of its own)."""
        return callback

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        """The actor's transitions in time order; sinks are called for each
        event when the stream asks for the next one, i.e. in the merged
        stream's order. Stops after ticks_num ticks when that is set."""
        tables = self._compiled()
        subject = self._create_subject(actor)
        fields = self.event_fields
        stamp = window.iso
        random, log = actor.rng.random, math.log
        start, tick_seconds, last = window.start, self.tick_seconds, self.ticks_num
        tick_seconds /= window.intensity  # live --rate: ticks k times as often
        if window.live:  # subjects tick at their own phase: no burst per tick
            start += (actor.index * _GOLDEN) % 1.0 * tick_seconds
        tick, dry, end = -1, window.dry, window.end
        table = tables[self.initial_state]
        while table is not None:
            inverse_log_stay, cumulative, transitions = table
            tick += 1 + int(log(1.0 - random()) * inverse_log_stay)
            if last is not None and tick >= last:
                return
            if len(transitions) == 1:
                transition = transitions[0]
            else:
                transition = transitions[
                    bisect_right(cumulative, random() * cumulative[-1])
                ]
            moment = start + tick * tick_seconds
            callback = transition.action_callback
            if callback is not None and callback(subject, transition) is False:
                if end is not None and moment >= end:
                    return  # refused past the window's end: it would spin for good
                continue
            yield moment, {
                "timestamp": stamp(moment),
                "trigger": transition.trigger,
                "from_state": transition.from_state,
                "to_state": transition.to_state,
                **fields(subject),
            }
            if not dry:
                for call in transition.calls:
                    call(round(moment * 1000), subject, transition)
            table = tables[transition.to_state]

    def events(self, seed: int = 0) -> Iterator[dict[str, Any]]:
        """Run on its own, doge-style: subjects_num subjects for ticks_num ticks
        from timestamp_start, events in time order (sinks called as they go)."""
        if self.ticks_num is None:
            raise ConfigError("state machine: set ticks_num to run it on its own")
        window = Window(self.timestamp_start / 1000, None, timezone.utc)
        actors = (make_actor(seed, index) for index in range(self.subjects_num))
        for _, _, _, event in run_actors(self, actors, window):
            yield event

    def start(self, seed: int = 0) -> int:
        """Run on its own like doge-datagen's start(); closes the sinks at the
        end and returns the number of transitions taken."""
        try:
            return sum(1 for _ in self.events(seed))
        finally:
            self.close_sinks()

    def close_sinks(self) -> None:
        """close() every sink that has one, once each."""
        seen: set[int] = set()
        for outgoing in self.transitions.values():
            for transition in outgoing:
                for sink in transition.event_sinks:
                    if id(sink) not in seen and hasattr(sink, "close"):
                        seen.add(id(sink))
                        sink.close()

    def graph(self) -> Graph:
        """States, transitions with their percents, and each state's stay %."""
        graph = Graph(self.name, nodes=list(self.states))
        graph.entry[self.initial_state] = ""
        for state, outgoing in self.transitions.items():
            total = sum(t.probability for t in outgoing)
            graph.notes[state] = f"stay {100 - total:.4g}%"
            if not outgoing:
                graph.final.add(state)
            for transition in outgoing:
                graph.edges.append(
                    Edge(
                        state,
                        transition.to_state,
                        f"{transition.trigger} {transition.probability:g}%",
                    )
                )
        return graph

    def _compiled(self) -> dict[str, _Table | None]:
        if self._tables is None:
            self._tables = {s: _table(t) for s, t in self.transitions.items()}
        return self._tables

    def _check_state(self, state: str, what: str) -> None:
        if state not in self.states:
            raise ConfigError(
                f"state machine: {what} '{state}' is not one of the states "
                f"({', '.join(self.states)})"
            )


#: doge-datagen's name for the same thing, so its users find it.
DataOnlineGenerator = StateMachine


def _table(outgoing: list[Transition]) -> _Table | None:
    """What a state's draw needs; None for a state nothing leaves."""
    live = [t for t in outgoing if t.probability > 0]
    if not live:
        return None
    cumulative: list[float] = []
    total = 0.0
    for transition in live:
        total += transition.probability
        cumulative.append(total)
    leave = min(total / 100, 1.0)
    # Ticks until the next move are geometric(leave): 1 + floor(log(U) / log(1-p)).
    inverse_log_stay = 0.0 if leave >= 1.0 else 1.0 / math.log1p(-leave)
    return inverse_log_stay, cumulative, live


def _subject_maker(factory: Any) -> Callable[[Actor], Any]:
    """A function actor -> subject from a factory object, a callable or None."""
    if factory is None:
        return lambda actor: actor
    create = getattr(factory, "create", factory)
    if not callable(create):
        raise ConfigError(
            "state machine: subject_factory must be callable or have create()"
        )
    try:
        parameters = inspect.signature(create).parameters.values()
    except (TypeError, ValueError):
        return create
    if not any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters
    ):
        return lambda actor: create()
    return create
