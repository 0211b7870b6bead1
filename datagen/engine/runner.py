"""The runner: every actor's next event in one time-ordered queue, earliest first.

Memory grows with the number of actors (one pending event each), never with
the length of the run. Ties are broken by actor index, then by the actor's
own order, so the stream is the same whichever process ran which actor.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from datagen.engine.actors import Actor
from datagen.engine.model import Behaviour, Window

#: (time, actor index, sequence within the actor, event): the global sort key + event.
Keyed = tuple[float, int, int, dict[str, Any]]


def actor_stream(model: Behaviour, actor: Actor, window: Window) -> Iterator[Keyed]:
    """One actor's events, keyed for merging and cut at window.end."""
    for sequence, (moment, event) in enumerate(model.actor_events(actor, window)):
        if window.end is not None and moment >= window.end:
            return
        yield moment, actor.index, sequence, event


def merge_streams(streams: Iterable[Iterator[Keyed]]) -> Iterator[Keyed]:
    """Streams that are each in key order, merged into one in key order."""
    return heapq.merge(*streams, key=lambda keyed: keyed[:3])


def run_actors(
    model: Behaviour, actors: Iterable[Actor], window: Window
) -> Iterator[Keyed]:
    """The merged, time-ordered stream of the given actors."""
    return merge_streams(actor_stream(model, actor, window) for actor in actors)
