"""Live runs on the wall clock: the window that carries --rate events a second.

A live run's simulated clock is the wall clock (or runs `speed` times as
fast, when asked), so its rate cannot come from running simulated time ahead.
It comes from the model:

- journeys (actors whose starts are spread out): every journey arrives during
  the run, as many as keep the rate (Arrivals.holding);
- a flow whose every event has a cron schedule keeps its times: the
  schedule, on the wall clock, says how many events there are;
- every other model acts `intensity` times as often (flows' waits, web
  sessions a day, state-machine ticks; a scheduled flow event keeps its
  times). The model's own rate where the run
  starts is measured on a throwaway copy of the run (same model, seed and
  actors; no profiles file read or written, no per-transition sink called),
  the intensity scaled to the target, and measured again at that intensity,
  so an hour-of-day curve is read at the hour the run is in.

A rate shape (bursts, ramps, a day's curve) is carried the same way at its
peak, and shaped_batches keeps each event with probability rate(t) / peak.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import replace
from datetime import datetime, timezone

from datagen.engine.batches import Batch, limit_batches
from datagen.engine.clock import LiveClock
from datagen.engine.model import Window
from datagen.engine.rates import RateShape, thinned
from datagen.engine.simulation import MAX_ACTORS, Simulation
from datagen.errors import ConfigError

#: Events a measurement reads at least (a Poisson count of n is off by about
#: 1/sqrt(n): 5% for 400) and at most.
FEWEST = 400
MOST = 20_000
#: The longest simulated span one measurement reads (a quiet model's rate
#: at intensity 1 may need hours of it).
LONGEST = 2 * 86_400.0
#: Measurements at most; the second is usually within a few percent.
ROUNDS = 4
#: Simulated seconds at the start of a run a measurement reads (at least).
FIRST_SECONDS = 20.0
#: The most actors a measurement runs: a larger population's rate is scaled
#: from theirs.
PROBE_MOST = 20_000
#: The most seconds a live stream starts ahead of the clock.
MAX_LEAD = 30.0
#: The most events a live run plays (and drops) before its first one: bounds
#: its start-up at high rates, where a shorter warm-up is enough anyway.
WARM_UP_EVENTS = 200_000


def live_window(
    simulation: Simulation,
    rate: float,
    duration: float | None = None,
    end: str | None = None,
    ticks: int | None = None,
    speed: float = 1.0,
    zone: str = "UTC",
    arrivals: float | None = None,
    clock: LiveClock | None = None,
    shape: RateShape | None = None,
) -> Window:
    """The window of a live run from the clock's now (once the rate is
    measured), carrying `rate` events a wall-clock second (a shape's peak,
    when given), for `duration` wall-clock seconds or until --end or --ticks
    (None: until stopped), simulated time running `speed` times as fast as
    the wall clock."""
    if not (speed > 0 and math.isfinite(speed)):
        raise ConfigError(f"--speed must be more than 0 for a live run, not {speed:g}")
    scheduled = getattr(simulation.model, "scheduled_only", False)
    if shape is not None:
        if scheduled:
            raise ConfigError(
                f"simulation '{simulation.name}' fires on cron schedules only: its"
                " times set its rate, which --burst, --ramp and --daily cannot shape"
            )
        rate = shape.peak
    per_simulated_second = rate / speed
    length = None if duration is None else duration * speed
    clock = clock or LiveClock()
    intensity, holding = 1.0, None
    if simulation.starts_spread():
        holding, arrivals = per_simulated_second, None
        setup = _prime(simulation, clock.now().timestamp(), zone)
    elif scheduled:
        setup = _prime(simulation, clock.now().timestamp(), zone)
    else:
        intensity, setup = intensity_for(
            simulation, per_simulated_second, clock.now().timestamp(), zone
        )
    simulation.population  # made now, so the stream starts when the window does
    # The stream starts a little ahead of the clock, by what making its first
    # event is measured to take: its first events then leave on time, not late.
    lead = min(1.5 * setup + 0.05, MAX_LEAD)
    return simulation.window(
        end=end,
        ticks=ticks,
        duration=length,
        timezone=zone,
        live=True,
        clock=_FixedClock(clock.now().timestamp() + lead),
        intensity=intensity,
        arrivals=arrivals,
        holding=holding,
        warm_up_limit=WARM_UP_EVENTS / per_simulated_second,
    )


def shaped_batches(
    simulation: Simulation,
    window: Window,
    shape: RateShape,
    workers: int = 1,
    count: int | None = None,
    span: float | None = None,
    speed: float = 1.0,
) -> Generator[Batch, None, None]:
    """The batches of a live run whose window live_window made for `shape`
    (at its peak): each event kept with probability rate(t) / peak, t the
    wall clock when it leaves (the shape starts at the window's first
    event), then at most `count`. Closing this closes the simulation's
    stream (its workers stop, its profiles are saved)."""
    source = simulation.batches(window, workers, None, span)
    kept = thinned(source, shape.starting_at(window.first), simulation.seed, speed)
    try:
        yield from limit_batches(kept, count)
    finally:
        kept.close()


class _FixedClock(LiveClock):
    """A clock whose now() is the run's start, so each probe starts there."""

    def __init__(self, start: float) -> None:
        self.start = start

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.start, timezone.utc)


def intensity_for(
    simulation: Simulation, rate: float, start: float, zone: str = "UTC"
) -> tuple[float, float]:
    """The intensity at which the simulation's stream from `start` carries
    `rate` events a simulated second, and the seconds its first event takes
    to make (its actors' first events and its warm-up)."""
    intensity, fixed, setup = 1.0, simulation.actors is not None, 0.0
    probes: dict[int, Simulation] = {}
    for _ in range(ROUNDS):
        measured, span, setup = _measure(
            simulation, intensity, start, zone, rate, probes
        )
        if measured <= 0:
            raise ConfigError(
                f"simulation '{simulation.name}' emits no events in its first"
                f" {LONGEST / 86_400:g} days: no intensity makes --rate {rate:g}/s"
            )
        intensity = _within_reach(simulation, intensity * rate / measured, rate, fixed)
        if abs(measured / rate - 1) < 0.05 and span < 3600:
            break
    return intensity, setup


def _within_reach(
    simulation: Simulation, intensity: float, rate: float, fixed: bool
) -> float:
    """The intensity, once the population is large enough for it: a model
    with `max_intensity` (web users, whose sessions cannot overlap) gets more
    actors instead of busier ones, unless --actors fixed them (then the rate
    cannot be met: a one-line error saying how many would)."""
    most = getattr(simulation.model, "max_intensity", None)
    if most is None or intensity <= most:
        return intensity
    actors = simulation.requested_actors
    needed = math.ceil(actors * intensity / most)
    if fixed or needed > MAX_ACTORS:
        raise ConfigError(
            f"--rate {rate:g}/s needs about {needed:,} actors of '{simulation.name}'"
            f" (each at most {most:g}x as active as the model): give --actors"
            f" {min(needed, MAX_ACTORS):,} or a lower --rate"
        )
    simulation.actors = needed
    return intensity * actors / needed


def _measure(
    simulation: Simulation,
    intensity: float,
    start: float,
    zone: str,
    rate: float,
    probes: dict[int, Simulation],
) -> tuple[float, float, float]:
    """(events a second, simulated seconds read, seconds to its first event)
    of a throwaway copy of the run at this intensity, over its first
    FIRST_SECONDS (longer when that holds fewer than FEWEST events), which is
    where the run begins. The copy is the run's own population, or its first
    PROBE_MOST actors scaled to the whole (actors of a model are alike);
    `probes` keeps it from round to round."""
    actors = simulation.requested_actors
    sampled = min(actors, PROBE_MOST)
    probe = probes.get(sampled)
    if probe is None:
        probe = probes[sampled] = Simulation(
            simulation.model, sampled, simulation.seed, locale=simulation.locale
        )
    window = probe.window(
        timezone=zone,
        live=True,
        clock=_FixedClock(start),
        count=MOST,
        intensity=intensity,
        warm_up_limit=WARM_UP_EVENTS / rate,
    )
    window = replace(window, dry=True)
    first = window.first
    probe.population  # made before the clock, as the run's is
    began = time.monotonic()
    setup, seen, span = 0.0, 0, LONGEST
    for moment, *_ in probe.keyed(window):
        if not seen:
            setup = (time.monotonic() - began) * actors / sampled
        if moment - first > LONGEST:
            break
        seen += 1
        if seen >= MOST or (seen >= FEWEST and moment - first >= FIRST_SECONDS):
            span = max(moment - first, 1e-3)
            break
    else:  # the model ran dry: its events over the seconds they took
        span = max(FIRST_SECONDS, min(LONGEST, span))
    return seen / span * actors / sampled, span, setup


def _prime(simulation: Simulation, start: float, zone: str) -> float:
    """Make one actor's first event on a throwaway copy, so what the model
    loads on first use (a journey's providers) is loaded before the clock
    starts, not while the first events are due; the seconds it took."""
    began = time.monotonic()
    probe = Simulation(simulation.model, 1, simulation.seed, locale=simulation.locale)
    window = probe.window(timezone=zone, live=True, clock=_FixedClock(start), count=1)
    next(iter(probe.keyed(replace(window, dry=True, arrivals=None))), None)
    return time.monotonic() - began
