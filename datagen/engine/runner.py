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


def run_actors(
    model: Behaviour, actors: Iterable[Actor], window: Window
) -> Iterator[Keyed]:
    """The merged, time-ordered stream of the given actors, keyed.

    One heap of (time, index, sequence, event, source) entries, one per actor
    with events left: the keys are unique, so events and sources are never
    compared.
    """
    end = float("inf") if window.end is None else window.end
    heap: list[tuple[float, int, int, dict[str, Any], Iterator[Any]]] = []
    for actor in actors:
        source = iter(model.actor_events(actor, window))
        for moment, event in source:
            if moment < end:
                heap.append((moment, actor.index, 0, event, source))
            break
    heapq.heapify(heap)
    replace, pop = heapq.heapreplace, heapq.heappop
    while heap:
        moment, index, sequence, event, source = heap[0]
        yield moment, index, sequence, event
        for upcoming, following in source:
            if upcoming < end:
                replace(heap, (upcoming, index, sequence + 1, following, source))
                break
            pop(heap)
            break
        else:
            pop(heap)
