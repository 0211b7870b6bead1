"""doge-datagen's DataOnlineGenerator on datagen's state machine engine.

The original's rules, kept: every subject starts in the initial state; each
tick a subject takes at most one transition out of its state, drawn by the
percents (the rest of 100 is "stay"); a callback returning a false value
(None included) cancels the transition; the transition's sinks get
(timestamp in milliseconds, subject, transition); timestamps start at
`timestamp_start` (0 unless given) and advance `tick_ms` per tick; subjects
are created before the first tick, and each tick goes through them in the
order they were created.

What the engine changes: ticks on which nothing happens cost nothing (the
next move is drawn directly), a seed repeats a run, and bad definitions fail
with one-line errors.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, ParamSpec, TypeVar, cast

from datagen.engine.actors import Actor
from datagen.engine.models.state_machine import EventSink, StateMachine, Transition
from datagen.engine.models.subjects import event_fields_of
from datagen.errors import ConfigError
from datagen.seeding import draw_seed

__all__ = [
    "DataOnlineGenerator",
    "DefinitionError",
    "EventSink",
    "Subject",
    "SubjectFactory",
    "Transition",
]

log = logging.getLogger(__name__)

#: The original's name for "whatever the factory creates", for annotations.
Subject = TypeVar("Subject")
_P = ParamSpec("_P")
_R = TypeVar("_R")


class DefinitionError(ConfigError, ValueError):
    """A bad generator definition: one line, and a ValueError as the
    original's, so `except ValueError` in existing programs still works."""


class SubjectFactory(Generic[Subject]):
    """Creates the subjects (users, devices...) that walk the state machine:
    subclass it and return a new subject from create()."""

    def create(self) -> Subject:
        raise NotImplementedError(
            f"{type(self).__name__}.create() must return a new subject"
        )


class _GoAhead:
    """An action callback under the original's rule: the transition is made
    only when the callback returns a true value (the engine's: unless False)."""

    def __init__(self, callback: Callable[[Any, Transition], Any]) -> None:
        self.callback = callback

    def __call__(self, subject: Any, transition: Transition) -> bool:
        return bool(self.callback(subject, transition))


def _fields(subject: Any) -> dict[str, Any]:
    """The subject's fields for events() (start() does not need them); a
    subject without attributes to read (__slots__) gives none."""
    try:
        return event_fields_of(subject)
    except TypeError:
        return {}


def _definition_errors(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """method raising DefinitionError (a ValueError, as the original's) where
    the engine raises ConfigError."""

    @functools.wraps(method)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except DefinitionError:
            raise
        except ConfigError as exc:
            raise DefinitionError(str(exc)) from None

    return checked


def _whole(value: Any, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise DefinitionError(
            f"DataOnlineGenerator: {name} must be a whole number of at least "
            f"{least}, not {value!r}"
        )
    return value


class DataOnlineGenerator(StateMachine, Generic[Subject]):
    """DataOnlineGenerator(states, initial_state, subject_factory, subjects_num,
    tick_ms, ticks_num, timestamp_start=0): subjects_num subjects walk the
    states for ticks_num ticks of tick_ms milliseconds.

    start(seed=None) runs it: with a seed (here or in the constructor) the
    run repeats, Python's `random` module included (doge-datagen programs
    draw from it); without one a fresh seed is drawn and logged.
    """

    #: The original's name for "no transition this tick".
    STAY_TRIGGER = "__stay"

    def __init__(
        self,
        states: Sequence[str],
        initial_state: str,
        subject_factory: SubjectFactory[Subject] | Any,
        subjects_num: int,
        tick_ms: int,
        ticks_num: int,
        timestamp_start: int = 0,
        *,
        seed: int | None = None,
    ) -> None:
        if isinstance(states, str) or not all(isinstance(s, str) for s in states):
            raise DefinitionError(
                f"DataOnlineGenerator: states must be a list of names, not {states!r}"
            )
        if not callable(getattr(subject_factory, "create", None)):
            raise DefinitionError(
                "DataOnlineGenerator: subject_factory must have a create() method "
                f"returning a new subject, not {subject_factory!r}"
            )
        if isinstance(tick_ms, bool) or not isinstance(tick_ms, (int, float)):
            raise DefinitionError(
                f"DataOnlineGenerator: tick_ms must be a number, not {tick_ms!r}"
            )
        if isinstance(timestamp_start, bool) or not isinstance(timestamp_start, int):
            raise DefinitionError(
                "DataOnlineGenerator: timestamp_start must be epoch milliseconds "
                f"(a whole number), not {timestamp_start!r}"
            )
        _definition_errors(super().__init__)(
            states,
            initial_state,
            self._subject_for,
            _whole(subjects_num, "subjects_num", 0),
            tick_ms,
            _whole(ticks_num, "ticks_num", 0),
            timestamp_start,
            event_fields=_fields,
        )
        #: The factory as given (start() calls its create()).
        self._factory: Any = subject_factory
        self.subject_factory = cast(Any, subject_factory)
        self.seed = None if seed is None else _whole(seed, "seed", 0)
        #: The seed and the number of transitions of the last start().
        self.last_seed: int | None = None
        self.last_count: int | None = None
        self._subjects: list[Any] | None = None

    #: A way from from_state to to_state, taken `probability` percent of the
    #: ticks a subject spends in from_state (the engine's, its errors
    #: DefinitionErrors; the callback under the original's rule: _action).
    add_transition = _definition_errors(StateMachine.add_transition)

    def _action(self, callback: Callable[[Any, Transition], Any]) -> _GoAhead:
        """The original's rule: a callback's false value cancels the move."""
        return _GoAhead(callback)

    @property
    def transition_matrix(self) -> dict[str, dict[str, Transition]]:
        """state -> trigger -> Transition, as the original exposes it."""
        return {
            state: {t.trigger: t for t in outgoing}
            for state, outgoing in self.transitions.items()
        }

    def start(self, seed: int | None = None) -> int:
        """Create the subjects, run every tick, close the sinks; returns the
        number of transitions made."""
        chosen = self.seed if seed is None else _whole(seed, "seed", 0)
        if chosen is None:
            chosen = draw_seed()
            log.info("seed %d (start(seed=%d) repeats this run)", chosen, chosen)
        else:
            random.seed(chosen)
        began = time.monotonic()
        create = self._factory.create
        self._subjects = [create() for _ in range(self.subjects_num)]
        try:
            count = super().start(chosen)
        finally:
            self._subjects = None
        self.last_seed, self.last_count = chosen, count
        log.info(
            "%d transitions of %d subjects in %d ticks, %.2f s",
            count,
            self.subjects_num,
            self.ticks_num,
            time.monotonic() - began,
        )
        return count

    def close_sinks(self) -> None:
        """close() every sink once; one that fails does not keep the others
        from closing (the first error is raised after)."""
        failure: BaseException | None = None
        seen: set[int] = set()
        for outgoing in self.transitions.values():
            for transition in outgoing:
                for sink in transition.event_sinks:
                    if id(sink) in seen or not hasattr(sink, "close"):
                        continue
                    seen.add(id(sink))
                    try:
                        sink.close()
                    except Exception as exc:  # the rest still close
                        failure = failure or exc
        if failure is not None:
            raise failure

    def _subject_for(self, actor: Actor) -> Any:
        """The subject start() created for this actor; under the engine's
        own runs (events(), simulate), a new one from the factory."""
        if self._subjects is not None:
            return self._subjects[actor.index]
        return self._factory.create()
