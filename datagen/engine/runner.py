"""The runner: every actor's next event in one time-ordered queue, earliest first.

Memory grows with the number of actors (one pending event each), never with
the length of the run. Ties are broken by actor index, then by the actor's
own order, so the stream is the same whichever process ran which actor.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
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
    while heap:
        moment, index, sequence, event, source = heap[0]
        yield moment, index, sequence, event
        _advance(heap, model, window, end)


def _advance(heap: list[Any], model: Any, window: Window, end: float) -> None:
    """Replace the heap's top, the event just yielded, with its actor's next
    one (checked to come no earlier), or drop the actor when it is done."""
    moment, index, sequence, _, source = heap[0]
    for upcoming, following in source:
        if not upcoming >= moment:  # one comparison: earlier, or NaN
            raise misordered(model, index, upcoming, moment, window)
        if upcoming < end:
            heapq.heapreplace(heap, (upcoming, index, sequence + 1, following, source))
            return
        break
    heapq.heappop(heap)


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


def run_deferred(
    model: Any, actors: Sequence[Actor], window: Window
) -> Iterator[Keyed]:
    """run_actors' stream, with each actor started (made, its first event
    drawn) only when the merge reaches model.first_moment(index, window), a
    moment no earlier than its first event. Until then an actor is a key in
    the heap, not a built journey: the first event comes once every actor's
    first moment is known, and memory holds the actors under way.

    Same keys, same order as run_actors: an actor's key waits at (its first
    moment, index, -1), before every event of its own, and no event of
    another actor can be due before it that is not already in the heap.
    """
    end = float("inf") if window.end is None else window.end
    heap: list[tuple[float, int, int, Any, Any]] = []
    for index in range(len(actors)):
        moment = model.first_moment(index, window)
        if moment < end:
            heap.append((moment, index, -1, None, None))
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        moment, index, sequence, event, source = heap[0]
        if source is None:  # the actor's turn to start
            pop(heap)
            source = iter(model.actor_events(actors[index], window))
            bound = moment
            for moment, event in source:
                if not moment >= window.start:  # NaN too
                    raise misordered(model, index, moment, window.start, window)
                if not moment >= bound:
                    raise ProviderError(
                        f"simulation '{_model_name(model)}': actor {index} yielded an"
                        f" event at {window.iso(moment)}, before its first_moment()"
                        f" ({window.iso(bound)})"
                    )
                if moment < end:
                    push(heap, (moment, index, 0, event, source))
                break
            continue
        yield moment, index, sequence, event
        _advance(heap, model, window, end)


def _model_name(model: Any) -> str:
    return getattr(model, "name", None) or type(model).__name__
