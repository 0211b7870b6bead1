"""Rate shapes for live runs: how many events a wall-clock second a run
carries at each moment, so a consumer's autoscaling meets bursts, ramps and
a day's curve rather than one steady rate.

    base      --rate R (steady), or --ramp A..B over T (back to back, the
              last end rate held), or --daily HH:MM=R,... (a day's curve in
              the run's time zone, straight lines between the points)
    bursts    --burst R@T every P [after D]: R a second for T, every P,
              the first D after the start (default P), over the base

A shaped run makes its events at the shape's peak and keeps each one with
probability rate(t) / peak (`thinned`: a Poisson stream thinned so is a
Poisson stream of rate(t)); see live.shaped_batches.

The module is a little long because each part of a shape is read from its
option text right next to what it becomes, so the syntax and its meaning
are written down once.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from datagen.engine.batches import Batch
from datagen.errors import ConfigError
from datagen.seeding import derive_seed
from datagen.timefmt import duration_text, parse_duration, parse_rate


@dataclass(frozen=True)
class Burst:
    """`rate` events a second for `length` seconds, every `every` seconds,
    the first `after` seconds from the run's start."""

    rate: float
    length: float
    every: float
    after: float

    def covers(self, elapsed: float) -> bool:
        """True when a burst is under way `elapsed` seconds into the run."""
        if elapsed < self.after:
            return False
        return (elapsed - self.after) % self.every < self.length


@dataclass(frozen=True)
class Ramp:
    """From `first` to `last` events a second, in a straight line, over
    `length` seconds."""

    first: float
    last: float
    length: float


@dataclass(frozen=True)
class DailyCurve:
    """A day's rates: (second of the day, events a second) points in order,
    straight lines between them, the last joined to the first across
    midnight; read on the wall clock in `zone`."""

    points: tuple[tuple[float, float], ...]
    zone: tzinfo

    def rate_at(self, moment: float) -> float:
        local = datetime.fromtimestamp(moment, self.zone)
        second = local.hour * 3600.0 + local.minute * 60 + local.second
        second += local.microsecond / 1e6
        points = self.points
        for (start, low), (end, high) in zip(points, points[1:]):
            if start <= second < end:
                return low + (high - low) * (second - start) / (end - start)
        # between the last point and the first, across midnight
        start, low = points[-1]
        end, high = points[0]
        span = end + _DAY - start
        passed = (second - start) % _DAY
        return low + (high - low) * passed / span


_DAY = 86_400.0


@dataclass(frozen=True)
class RateShape:
    """Events a wall-clock second at each moment of a live run that starts
    at `origin` (epoch seconds; set once the run's start is known)."""

    steady: float | None = None
    ramps: tuple[Ramp, ...] = ()
    daily: DailyCurve | None = None
    bursts: tuple[Burst, ...] = ()
    origin: float = 0.0

    def __post_init__(self) -> None:
        if sum(part is not None and part != () for part in self._bases()) != 1:
            raise ConfigError("give one of --rate, --ramp, --daily as the base rate")
        if not self.peak > 0:
            raise ConfigError("a rate shape's highest rate must be more than 0")

    def _bases(self) -> tuple[object, ...]:
        return self.steady, self.ramps, self.daily

    def starting_at(self, origin: float) -> RateShape:
        """This shape for a run that starts at origin."""
        return replace(self, origin=origin)

    def rate_at(self, moment: float) -> float:
        """Events a second the run carries at moment (epoch seconds)."""
        elapsed = moment - self.origin
        for burst in self.bursts:
            if burst.covers(elapsed):
                return burst.rate
        return self.base_at(moment)

    def base_at(self, moment: float) -> float:
        """The rate between bursts at moment."""
        if self.daily is not None:
            return self.daily.rate_at(moment)
        if self.steady is not None:
            return self.steady
        elapsed = moment - self.origin
        for ramp in self.ramps:
            if elapsed < ramp.length:
                return ramp.first + (ramp.last - ramp.first) * max(elapsed, 0) / (
                    ramp.length
                )
            elapsed -= ramp.length
        return self.ramps[-1].last

    @property
    def peak(self) -> float:
        """The highest rate the shape reaches (what the run makes)."""
        rates = [burst.rate for burst in self.bursts]
        if self.steady is not None:
            rates.append(self.steady)
        rates += [rate for ramp in self.ramps for rate in (ramp.first, ramp.last)]
        if self.daily is not None:
            rates += [rate for _, rate in self.daily.points]
        return max(rates)

    def describe(self) -> str:
        """One line for a run's summary: 'rate 100/s, bursts of 5000/s for
        10s every 5m'."""
        parts = []
        if self.steady is not None:
            parts.append(f"rate {_rate_text(self.steady)}")
        if self.ramps:
            legs = ", then ".join(
                f"{_rate_text(ramp.first)}..{_rate_text(ramp.last)} over "
                f"{duration_text(ramp.length)}"
                for ramp in self.ramps
            )
            parts.append(f"ramp {legs}")
        if self.daily is not None:
            parts.append(f"daily curve up to {_rate_text(self.peak)}")
        for burst in self.bursts:
            parts.append(
                f"bursts of {_rate_text(burst.rate)} for {duration_text(burst.length)}"
                f" every {duration_text(burst.every)}"
            )
        return ", ".join(parts)


def thinned(
    batches: Generator[Batch, None, None],
    shape: RateShape,
    seed: int,
    speed: float = 1.0,
) -> Generator[Batch, None, None]:
    """The events of batches (made at shape.peak a wall-clock second, each
    with its time) each kept with probability rate(t) / peak, t the wall
    clock when it leaves: simulated time from shape.origin runs `speed`
    times as fast. Seeded; closing this closes batches."""
    rng = random.Random(derive_seed(seed, "rate-shape"))
    draw, peak, origin = rng.random, shape.peak, shape.origin
    try:
        for batch in batches:
            times = batch.times
            if times is None:
                raise ValueError("a shaped run's batches must keep their times")
            kept = [
                index
                for index, moment in enumerate(times)
                if draw() * peak < shape.rate_at(origin + (moment - origin) / speed)
            ]
            if len(kept) == len(times):
                yield batch
            elif kept:
                events = batch.events()
                yield Batch(
                    [events[index] for index in kept],
                    None,
                    times[kept[-1]],
                    times=[times[index] for index in kept],
                )
    finally:
        batches.close()


def _rate_text(rate: float) -> str:
    return f"{rate:,.4g}/s"


_BURST = re.compile(
    r"^\s*(?P<rate>[^@\s]+)\s*@\s*(?P<length>\S+)\s+every\s+(?P<every>\S+)"
    r"(?:\s+after\s+(?P<after>\S+))?\s*$",
    re.IGNORECASE,
)
_RAMP = re.compile(
    r"^\s*(?P<first>\S+?)\s*\.\.\s*(?P<last>\S+)\s+over\s+(?P<length>\S+)\s*$",
    re.IGNORECASE,
)
_POINT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*=\s*(\S+)\s*$")


def parse_burst(text: str, option: str = "--burst") -> Burst:
    """'5000/s@10s every 5m' (or '... after 1m'): a Burst; ConfigError naming
    the option and the text when it is not one."""
    match = _BURST.match(text)
    if match is None:
        raise ConfigError(
            f"{option}: '{text}' is not a burst (e.g. 5000/s@10s every 5m, "
            "optionally 'after 1m')"
        )
    where = f"{option} '{text}'"
    rate = parse_rate(match["rate"], where)
    length = parse_duration(match["length"], where)
    every = parse_duration(match["every"], where)
    after = every if match["after"] is None else _offset(match["after"], where)
    if length >= every:
        raise ConfigError(
            f"{where}: a burst of {duration_text(length)} every "
            f"{duration_text(every)} never ends; make it shorter than the period"
        )
    return Burst(rate, length, every, after)


def parse_ramp(text: str, option: str = "--ramp") -> Ramp:
    """'10/s..1000/s over 10m': a Ramp (either end may be 0)."""
    match = _RAMP.match(text)
    if match is None:
        raise ConfigError(
            f"{option}: '{text}' is not a ramp (e.g. 10/s..1000/s over 10m)"
        )
    where = f"{option} '{text}'"
    first = parse_rate(match["first"], where, zero=True)
    last = parse_rate(match["last"], where, zero=True)
    return Ramp(first, last, parse_duration(match["length"], where))


def parse_daily(
    text: str, zone: tzinfo, base: float | None = None, option: str = "--daily"
) -> DailyCurve:
    """'00:00=10/s,09:00=200/s,18:00=50%': the day's curve; a percentage is
    of base (--rate), which must then be given."""
    points: dict[float, float] = {}
    for item in text.split(","):
        match = _POINT.match(item)
        if match is None:
            raise ConfigError(
                f"{option}: '{item.strip()}' is not HH:MM=RATE "
                "(e.g. 00:00=10/s,09:00=200/s,18:00=50%)"
            )
        hour, minute, value = int(match[1]), int(match[2]), match[3]
        if hour > 23 or minute > 59:
            raise ConfigError(f"{option}: '{item.strip()}': no such time of day")
        where = f"{option} '{item.strip()}'"
        if value.endswith("%"):
            if base is None:
                raise ConfigError(f"{where}: a percentage is of --rate: give --rate")
            rate = base * _percent(value, where) / 100
        else:
            rate = parse_rate(value, where, zero=True)
        points[hour * 3600.0 + minute * 60.0] = rate
    return DailyCurve(tuple(sorted(points.items())), zone)


def make_shape(
    rate: float | None,
    bursts: Sequence[str] = (),
    ramps: Sequence[str] = (),
    daily: str | None = None,
    zone: tzinfo | None = None,
    default_rate: float = 10.0,
) -> RateShape | None:
    """The shape the options describe, None when they describe none (no
    --burst, --ramp or --daily: a steady --rate, as before)."""
    if not bursts and not ramps and daily is None:
        return None
    if ramps and daily is not None:
        raise ConfigError("--ramp and --daily both set the base rate: give one")
    steady = None
    curve = None
    if daily is not None:
        if zone is None:
            raise ConfigError("--daily needs the run's time zone")
        curve = parse_daily(daily, zone, rate)
        if rate is not None and not any(
            part.strip().endswith("%") for part in daily.split(",")
        ):
            raise ConfigError(
                "--daily gives the rate at each time of day: drop --rate, or give"
                " the points as percentages of it (09:00=100%)"
            )
    elif ramps:
        if rate is not None:
            raise ConfigError("--ramp sets the rate from its first value: drop --rate")
    else:
        steady = default_rate if rate is None else rate
    return RateShape(
        steady=steady,
        ramps=tuple(parse_ramp(text) for text in ramps),
        daily=curve,
        bursts=tuple(parse_burst(text) for text in bursts),
    )


def _offset(text: str, where: str) -> float:
    if text.strip() in ("0", "0s"):
        return 0.0
    return parse_duration(text, where)


def _percent(text: str, where: str) -> float:
    try:
        value = float(text[:-1])
    except ValueError:
        raise ConfigError(f"{where}: '{text}' is not a percentage") from None
    if not (value >= 0 and math.isfinite(value)):
        raise ConfigError(f"{where}: '{text}' must be 0% or more")
    return value
