"""Subjects of state machines: their fields in events, and the sinks they feed."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

from datagen.engine.actors import Actor
from datagen.errors import ConfigError

#: (timestamp in epoch milliseconds, subject, transition) -> anything.
SinkCall = Callable[[int, Any, Any], Any]


def event_fields_of(subject: Any) -> dict[str, Any]:
    """The subject's public fields for its events: an actor gives its id, a
    dict itself, an object its attributes not starting with '_' (RNGs left out)."""
    if isinstance(subject, Actor):
        return {"subject_id": subject.id}
    if isinstance(subject, dict):
        return dict(subject)
    if dataclasses.is_dataclass(subject):
        items = (
            (f.name, getattr(subject, f.name)) for f in dataclasses.fields(subject)
        )
    else:
        items = iter(vars(subject).items())
    return {
        key: value
        for key, value in items
        if not key.startswith("_") and not isinstance(value, random.Random)
    }


def sink_call(sink: Any) -> SinkCall:
    """The function to call for a sink: its collect() (doge-datagen's
    EventSink) or the sink itself when it is a plain callable."""
    collect = getattr(sink, "collect", None)
    if callable(collect):
        return collect
    if callable(sink):
        return sink
    raise ConfigError(
        f"state machine: event sink {sink!r} has no collect(timestamp, subject, "
        "transition) and is not callable"
    )
