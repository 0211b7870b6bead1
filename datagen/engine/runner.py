"""The runner: every actor's next event in one time-ordered queue, earliest first.

Memory grows with the number of actors (one pending event each), never with
the length of the run. Ties are broken by actor index, then by the actor's
own order, so the stream is the same whichever process ran which actor.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from datagen.engine.actors import Actor
from datagen.engine.model import Behaviour, Window
from datagen.errors import ProviderError

#: (time, actor index, sequence within the actor, event): the global sort key + event.
Keyed = tuple[float, int, int, dict[str, Any]]


def run_actors(
    model: Behaviour,
    actors: Iterable[Actor],
    window: Window,
    arriving: ArrivingActors | None = None,
) -> Iterator[Keyed]:
    """The merged, time-ordered stream of the given actors, keyed.

    One heap of (time, index, sequence, event, source) entries, one per actor
    with events left: the keys are unique, so events and sources are never
    compared. With `arriving`, the window's arrivals join as they come.
    """
    end = float("inf") if window.end is None else window.end
    heap: list[tuple[float, int, int, Any, Any]] = []
    for actor in actors:
        _start(heap, model, actor, window, window.start, end, heapq.heappush)
    heapq.heapify(heap)
    return _merged(heap, model, window, end, None, arriving)


def run_deferred(
    model: Any,
    actors: Sequence[Actor],
    window: Window,
    arriving: ArrivingActors | None = None,
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
    return _merged(heap, model, window, end, actors, arriving)


class ArrivingActors:
    """The window's arrivals for one process: actor `index` is made by
    `make(index)` when its time comes (worker w of N runs every Nth)."""

    def __init__(
        self,
        window: Window,
        make: Callable[[int], Actor],
        workers: int = 1,
        worker: int = 0,
    ) -> None:
        assert window.arrivals is not None
        self.make = make
        self.under_way = UnderWay(window.start) if window.arrivals.holding else None
        watch = None if self.under_way is None else self.under_way.rate
        self.times = window.arrivals.times(window.seed, workers, worker, watch)


class UnderWay:
    """The rate at which actors already under way emit (their events after
    their first), over the last HORIZON simulated seconds: what held
    arrivals add to. Fed by the merge as it yields."""

    HORIZON = 30.0

    def __init__(self, start: float) -> None:
        self.start = start
        self.seen: deque[float] = deque()

    def saw(self, moment: float) -> None:
        self.seen.append(moment)

    def rate(self, moment: float) -> float:
        seen, since = self.seen, moment - self.HORIZON
        while seen and seen[0] <= since:
            seen.popleft()
        return len(seen) / max(min(self.HORIZON, moment - self.start), 1.0)


def _merged(
    heap: list[Any],
    model: Any,
    window: Window,
    end: float,
    deferred: Sequence[Actor] | None,
    arriving: ArrivingActors | None,
) -> Iterator[Keyed]:
    """Pop the heap in key order. An entry without a source is an actor whose
    turn to start has come: deferred[index], or the next arrival (the one
    after it then joins the heap)."""
    pop, push = heapq.heappop, heapq.heappush
    under_way = None if arriving is None else arriving.under_way
    emit_from = window.first
    if arriving is not None:
        _next_arrival(heap, arriving, end)
    while heap:
        moment, index, sequence, event, source = heap[0]
        if source is None:  # an actor's turn to start
            pop(heap)
            if deferred is not None and index < len(deferred):
                _start(heap, model, deferred[index], window, moment, end, push)
            elif arriving is not None:
                actor = arriving.make(index)
                arrived = window.arriving_at(moment)
                _start(heap, model, actor, arrived, moment, end, push)
                _next_arrival(heap, arriving, end)
            continue
        if moment >= emit_from:
            yield moment, index, sequence, event
        if under_way is not None and sequence:
            under_way.saw(moment)
        _advance(heap, model, window, end)


def _next_arrival(heap: list[Any], arriving: ArrivingActors, end: float) -> None:
    """Put the next arrival's key in the heap, if it comes before the end."""
    moment, index = next(arriving.times)
    if moment < end:
        heapq.heappush(heap, (moment, index, -1, None, None))


def _start(
    heap: list[Any],
    model: Any,
    actor: Actor,
    window: Window,
    bound: float,
    end: float,
    push: Callable[[list[Any], Any], None],
) -> None:
    """Draw the actor's first event (none before bound, the window's start or
    its first moment) and put it in the heap; nothing when it has none."""
    source = iter(model.actor_events(actor, window))
    for moment, event in source:
        if not moment >= window.start:  # NaN too
            raise misordered(model, actor.index, moment, window.start, window)
        if not moment >= bound:
            raise ProviderError(
                f"simulation '{_model_name(model)}': actor {actor.index} yielded an"
                f" event at {window.iso(moment)}, before its first_moment()"
                f" ({window.iso(bound)})"
            )
        if moment < end:
            push(heap, (moment, actor.index, 0, event, source))
        break


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
    name = _model_name(model)
    what = "the window's start" if earliest == window.start else "its previous event"
    try:
        when, bound = window.iso(moment), window.iso(earliest)
    except (TypeError, ValueError, OverflowError):
        when, bound = repr(moment), repr(earliest)
    return ProviderError(
        f"simulation '{name}': actor {index} yielded an event at {when}, before "
        f"{what} ({bound}); actor_events must yield in time order from the start"
    )


def _model_name(model: Any) -> str:
    return getattr(model, "name", None) or type(model).__name__
