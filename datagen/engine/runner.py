"""The runner: every actor's next event in one time-ordered agenda, earliest first.

Memory grows with the number of actors (one pending event each), never with
the length of the run. Ties are broken by actor index, then by the actor's
own order, so the stream is the same whichever process ran which actor.

An actor may yield (moment, None), a wake-up: nothing is emitted and the
actor goes on at that moment, so a model can rest (a web user between
sessions) without an event built hours ahead waiting in the agenda.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from datagen.engine.actors import Actor
from datagen.engine.model import Behaviour, Window
from datagen.errors import ProviderError

#: (time, actor index, sequence within the actor, event): the global sort key + event.
Keyed = tuple[float, int, int, dict[str, Any]]
#: Simulated seconds an agenda bucket spans: a power of two, so a moment's
#: bucket and a bucket's end are exact arithmetic. 100,000 web users make
#: about 900 events in 32 s (a heap that stays in the processor's caches);
#: 256 s made a heap of 7,000 and a run 25% slower, 8 s more appends.
BUCKET_SECONDS = 32.0
#: What next() gives for an actor with no events left.
_DONE: Any = object()


class Agenda:
    """Entries (time, index, sequence, event, source), taken in key order.

    `near` is a heap of the entries due before `limit`, the end of the
    current bucket; a later entry is appended to its bucket's list, which
    becomes the heap when its time comes. An event due hours ahead (a web
    user's next session) so costs an append, and the heap the merge sifts
    per event holds half a minute of events, not one entry per actor: a
    heap of 100,000 actors walks cold memory on every event (the queue's
    work alone, in web's pattern: 3.1 us an event against 1.2 us with
    10,000; with buckets, 2.0 us against 1.8 us).
    """

    __slots__ = ("near", "limit", "later", "buckets")

    def __init__(self) -> None:
        self.near: list[Any] = []
        self.limit = -math.inf
        self.later: dict[float, list[Any]] = {}
        self.buckets: list[float] = []  # a heap of later's keys

    def push(self, entry: tuple[Any, ...]) -> None:
        if entry[0] < self.limit:
            heapq.heappush(self.near, entry)
        else:
            self.defer(entry)

    def defer(self, entry: tuple[Any, ...]) -> None:
        """Put an entry due at or after `limit` in its bucket."""
        bucket = entry[0] // BUCKET_SECONDS
        pending = self.later.get(bucket)
        if pending is None:
            pending = self.later[bucket] = []
            heapq.heappush(self.buckets, bucket)
        pending.append(entry)

    def refill(self) -> bool:
        """When `near` is empty, make the next bucket the heap; False when
        nothing is left."""
        if self.near:
            return True
        if not self.buckets:
            return False
        bucket = heapq.heappop(self.buckets)
        self.near = self.later.pop(bucket)
        heapq.heapify(self.near)
        self.limit = (bucket + 1.0) * BUCKET_SECONDS
        return True


def run_actors(
    model: Behaviour,
    actors: Iterable[Actor],
    window: Window,
    arriving: ArrivingActors | None = None,
) -> Iterator[Keyed]:
    """The merged, time-ordered stream of the given actors, keyed.

    One agenda of (time, index, sequence, event, source) entries, one per
    actor with events left: the keys are unique, so events and sources are
    never compared. With `arriving`, the window's arrivals join as they come.
    """
    end = float("inf") if window.end is None else window.end
    agenda = Agenda()
    for actor in actors:
        _start(agenda, model, actor, window, window.start, end)
    return _merged(agenda, model, window, end, None, arriving)


def run_deferred(
    model: Any,
    actors: Sequence[Actor],
    window: Window,
    arriving: ArrivingActors | None = None,
) -> Iterator[Keyed]:
    """run_actors' stream, with each actor started (made, its first event
    drawn) only when the merge reaches model.first_moment(index, window), a
    moment no earlier than its first event. Until then an actor is a key in
    the agenda, not a built journey: the first event comes once every
    actor's first moment is known, and memory holds the actors under way.

    Same keys, same order as run_actors: an actor's key waits at (its first
    moment, index, -1), before every event of its own, and no event of
    another actor can be due before it that is not already in the agenda.
    """
    end = float("inf") if window.end is None else window.end
    agenda = Agenda()
    for index in range(len(actors)):
        # no earlier than the start, where every first event is: a key the
        # agenda can place (-inf has no bucket)
        moment = max(model.first_moment(index, window), window.start)
        if moment < end:
            agenda.defer((moment, index, -1, None, None))
    return _merged(agenda, model, window, end, actors, arriving)


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
    agenda: Agenda,
    model: Any,
    window: Window,
    end: float,
    deferred: Sequence[Actor] | None,
    arriving: ArrivingActors | None,
) -> Iterator[Keyed]:
    """Take the agenda in key order. An entry without a source is an actor
    whose turn to start has come: deferred[index], or the next arrival (the
    one after it then joins the agenda); one without an event is a wake-up.
    Each actor's next event replaces the one just taken, checked to come no
    earlier (the actor is dropped when it is done or past the end); one at
    the same moment is taken at once, without the heap: no other key can
    come between (any at that moment with a lower index came first)."""
    pop, replace = heapq.heappop, heapq.heapreplace
    under_way = None if arriving is None else arriving.under_way
    emit_from = window.first
    if arriving is not None:
        _next_arrival(agenda, arriving, end)
    while agenda.refill():
        near, limit = agenda.near, agenda.limit
        while near:
            moment, index, sequence, event, source = near[0]
            if source is None:  # an actor's turn to start
                pop(near)
                if deferred is not None and index < len(deferred):
                    _start(agenda, model, deferred[index], window, moment, end)
                elif arriving is not None:
                    actor = arriving.make(index)
                    arrived = window.arriving_at(moment)
                    _start(agenda, model, actor, arrived, moment, end)
                    _next_arrival(agenda, arriving, end)
                continue
            while True:  # what the actor has due at this moment comes next
                if event is not None:
                    if moment >= emit_from:
                        yield moment, index, sequence, event
                    if under_way is not None and sequence:
                        under_way.saw(moment)
                    sequence += 1
                step = next(source, _DONE)
                if step is _DONE:
                    pop(near)
                    break
                upcoming, event = step
                if upcoming == moment:  # a web session after its wake-up
                    continue
                if not upcoming >= moment:  # one comparison: earlier, or NaN
                    raise misordered(model, index, upcoming, moment, window)
                if not upcoming < end:
                    pop(near)
                elif upcoming < limit:
                    replace(near, (upcoming, index, sequence, event, source))
                else:
                    pop(near)
                    agenda.defer((upcoming, index, sequence, event, source))
                break


def _next_arrival(agenda: Agenda, arriving: ArrivingActors, end: float) -> None:
    """Put the next arrival's key in the agenda, if it comes before the end."""
    moment, index = next(arriving.times)
    if moment < end:
        agenda.push((moment, index, -1, None, None))


def _start(
    agenda: Agenda,
    model: Any,
    actor: Actor,
    window: Window,
    bound: float,
    end: float,
) -> None:
    """Draw the actor's first event (none before bound, the window's start or
    its first moment) and put it in the agenda; nothing when it has none."""
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
            agenda.push((moment, actor.index, 0, event, source))
        break


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
