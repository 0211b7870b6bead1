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
from datagen.errors import ProviderError

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
            if not moment >= window.start:  # NaN too
                raise misordered(model, actor.index, moment, window.start, window)
            if moment < end:
                heap.append((moment, actor.index, 0, event, source))
            break
    heapq.heapify(heap)
    replace, pop = heapq.heapreplace, heapq.heappop
    while heap:
        moment, index, sequence, event, source = heap[0]
        yield moment, index, sequence, event
        for upcoming, following in source:
            if not upcoming >= moment:  # one comparison: earlier, or NaN
                raise misordered(model, index, upcoming, moment, window)
            if upcoming < end:
                replace(heap, (upcoming, index, sequence + 1, following, source))
                break
            pop(heap)
            break
        else:
            pop(heap)


def misordered(
    model: Any, index: int, moment: Any, earliest: float, window: Window
) -> ProviderError:
    """The error for an actor's event before the window's start or before its
    previous event: merged as it is, the stream would not be in time order
    (the contract of actor_events), so the run stops instead of emitting it."""
    name = getattr(model, "name", None) or type(model).__name__
    what = "the window's start" if earliest == window.start else "its previous event"
    try:
        when, bound = window.iso(moment), window.iso(earliest)
    except (TypeError, ValueError, OverflowError):
        when, bound = repr(moment), repr(earliest)
    return ProviderError(
        f"simulation '{name}': actor {index} yielded an event at {when}, before "
        f"{what} ({bound}); actor_events must yield in time order from the start"
    )
