"""Live runs on the wall clock: the window that carries --rate events a second.

A live run's simulated clock is the wall clock (or runs `speed` times as
fast, when asked), so its rate cannot come from running simulated time ahead.
It comes from the model:

- journeys (actors whose starts are spread out): every journey arrives during
  the run, as many as keep the rate (Arrivals.holding);
- every other model acts `intensity` times as often (flows' waits, web
  sessions a day, state-machine ticks). The model's own rate where the run
  starts is measured on a throwaway copy of the run (same model, seed and
  actors; no profiles file read or written, no per-transition sink called),
  the intensity scaled to the target, and measured again at that intensity,
  so an hour-of-day curve is read at the hour the run is in.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timezone
from itertools import islice

from datagen.engine.clock import LiveClock
from datagen.engine.model import Window
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError

#: Events read per measurement: the relative error of a Poisson count of n is
#: about 1/sqrt(n), so 4,000 events measure a rate within about 1.6%.
SAMPLE = 4_000
#: The longest simulated span one measurement reads (a quiet model's rate
#: at intensity 1 may need hours of it).
LONGEST = 2 * 86_400.0
#: Measurements at most; the second is usually within a few percent.
ROUNDS = 3


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
) -> Window:
    """The window of a live run from the clock's now (once the rate is
    measured), carrying `rate` events a wall-clock second, for `duration`
    wall-clock seconds or until --end or --ticks (None: until stopped),
    simulated time running `speed` times as fast as the wall clock."""
    if not (speed > 0 and math.isfinite(speed)):
        raise ConfigError(f"--speed must be more than 0 for a live run, not {speed:g}")
    per_simulated_second = rate / speed
    length = None if duration is None else duration * speed
    clock = clock or LiveClock()
    intensity, holding = 1.0, None
    if simulation.starts_spread():
        holding, arrivals = per_simulated_second, None
    else:
        intensity = intensity_for(
            simulation, per_simulated_second, clock.now().timestamp(), zone
        )
    simulation.population  # made now, so the stream starts when the window does
    return simulation.window(
        end=end,
        ticks=ticks,
        duration=length,
        timezone=zone,
        live=True,
        clock=clock,
        intensity=intensity,
        arrivals=arrivals,
        holding=holding,
    )


class _FixedClock(LiveClock):
    """A clock whose now() is the run's start, so each probe starts there."""

    def __init__(self, start: float) -> None:
        self.start = start

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.start, timezone.utc)


def intensity_for(
    simulation: Simulation, rate: float, start: float, zone: str = "UTC"
) -> float:
    """The intensity at which the simulation's stream from `start` carries
    `rate` events a simulated second."""
    intensity = 1.0
    for _ in range(ROUNDS):
        measured, span = _measure(simulation, intensity, start, zone)
        if measured <= 0:
            raise ConfigError(
                f"simulation '{simulation.name}' emits no events in its first"
                f" {LONGEST / 86_400:g} days: no intensity makes --rate {rate:g}/s"
            )
        intensity *= rate / measured
        if abs(measured / rate - 1) < 0.02 and span < 3600:
            break
    return intensity


def _measure(
    simulation: Simulation, intensity: float, start: float, zone: str
) -> tuple[float, float]:
    """(events a second, simulated seconds read) of a throwaway copy of the
    run at this intensity, from start."""
    probe = Simulation(
        simulation.model, simulation.actors, simulation.seed, locale=simulation.locale
    )
    window = probe.window(
        timezone=zone,
        live=True,
        clock=_FixedClock(start),
        count=SAMPLE,
        intensity=intensity,
    )
    window = replace(window, dry=True)
    last, seen = window.first, 0
    for moment, *_ in islice(probe.keyed(window), SAMPLE):
        if moment - window.first > LONGEST:
            break
        last, seen = moment, seen + 1
    span = LONGEST if seen < SAMPLE else last - window.first
    return (seen / span if span > 0 else float(seen)), span
