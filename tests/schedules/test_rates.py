"""Rate shapes for live runs: the options read into a shape, the shape's rate
at each moment, and a live run that carries it (made at the peak, thinned)."""

from __future__ import annotations

import random
from collections.abc import Generator
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from datagen.cli.rate_options import rate_shape
from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.live import live_window, shaped_batches
from datagen.engine.models.flows import Event, Flow
from datagen.engine.pacing import Pace, paced
from datagen.engine.rates import (
    Burst,
    RateShape,
    make_shape,
    parse_burst,
    parse_daily,
    parse_ramp,
    thinned,
)
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError
from tests.schedules.clocks import SleepingClock

START = datetime(2026, 6, 1, 12, tzinfo=timezone.utc).timestamp()


def test_a_burst_reads_rate_length_period_and_offset() -> None:
    assert parse_burst("5000/s@10s every 5m") == Burst(5000.0, 10.0, 300.0, 300.0)
    assert parse_burst("300/m @ 1m every 1h after 0") == Burst(5.0, 60.0, 3600.0, 0.0)
    assert parse_burst("1000/s@2s EVERY 10s after 5s").after == 5.0


@pytest.mark.parametrize(
    "text,message",
    [
        ("5000/s every 5m", "is not a burst"),
        ("5000@10s", "is not a burst"),
        ("lots/s@10s every 5m", "'lots/s' is not a rate"),
        ("5000/s@10x every 5m", "'10x' is not a duration"),
        ("5000/s@5m every 5m", "never ends"),
    ],
)
def test_a_bad_burst_is_one_line_naming_the_option(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match="^--burst") as caught:
        parse_burst(text)
    assert message in str(caught.value)


def test_a_ramp_reads_both_ends_and_its_length() -> None:
    ramp = parse_ramp("10/s..1000/s over 10m")
    assert (ramp.first, ramp.last, ramp.length) == (10.0, 1000.0, 600.0)
    assert parse_ramp("600/m..0 over 1h").last == 0.0
    with pytest.raises(ConfigError, match="--ramp: '10/s-1000/s over 1m' is not a"):
        parse_ramp("10/s-1000/s over 1m")


def test_steady_with_bursts() -> None:
    shape = make_shape(100.0, ["5000/s@10s every 5m"])
    assert shape is not None
    shape = shape.starting_at(START)
    assert shape.peak == 5000.0
    assert shape.rate_at(START) == 100.0
    assert shape.rate_at(START + 299.9) == 100.0
    assert shape.rate_at(START + 300.0) == 5000.0
    assert shape.rate_at(START + 309.9) == 5000.0
    assert shape.rate_at(START + 310.0) == 100.0
    assert shape.rate_at(START + 605.0) == 5000.0
    assert shape.describe() == "rate 100/s, bursts of 5,000/s for 10s every 5m"


def test_ramps_run_one_after_another_and_the_last_rate_holds() -> None:
    shape = make_shape(None, ramps=["10/s..1000/s over 10m", "1000/s..0/s over 100s"])
    assert shape is not None
    shape = shape.starting_at(START)
    assert shape.peak == 1000.0
    assert shape.rate_at(START) == 10.0
    assert shape.rate_at(START + 300) == pytest.approx(505.0)
    assert shape.rate_at(START + 600) == 1000.0
    assert shape.rate_at(START + 650) == pytest.approx(500.0)
    assert shape.rate_at(START + 10_000) == 0.0


def test_a_daily_curve_is_read_on_the_local_clock_across_midnight() -> None:
    paris = ZoneInfo("Europe/Paris")
    curve = parse_daily("09:00=200/s,00:00=10/s,18:00=50%", paris, base=100.0)
    assert curve.points == ((0.0, 10.0), (32_400.0, 200.0), (64_800.0, 50.0))

    def at(hour: int, minute: int = 0) -> float:
        moment = datetime(2026, 6, 1, hour, minute, tzinfo=paris).timestamp()
        return curve.rate_at(moment)

    assert at(9) == 200.0
    assert at(4, 30) == pytest.approx(105.0)
    assert at(13, 30) == pytest.approx(125.0)
    assert at(21) == pytest.approx(30.0)  # 50/s at 18:00 to 10/s at midnight
    shape = make_shape(100.0, daily="09:00=200%,00:00=10%", zone=paris)
    assert shape is not None and shape.peak == 200.0


@pytest.mark.parametrize(
    "options,message",
    [
        ({"rate": 5.0, "ramps": ["1/s..2/s over 1m"]}, "--ramp sets the rate"),
        (
            {"rate": None, "ramps": ["1/s..2/s over 1m"], "daily": "00:00=1/s"},
            "--ramp and --daily",
        ),
        ({"rate": 5.0, "daily": "00:00=1/s"}, "drop --rate"),
        ({"rate": None, "daily": "00:00=50%"}, "a percentage is of --rate"),
        ({"rate": None, "daily": "25:00=1/s"}, "no such time of day"),
        ({"rate": None, "daily": "9=1/s"}, "is not HH:MM=RATE"),
        ({"rate": None, "ramps": ["0/s..0/s over 1m"]}, "more than 0"),
    ],
)
def test_options_that_do_not_go_together_are_refused(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_shape(zone=timezone.utc, **options)


def test_the_cli_reads_the_options_for_a_live_run_only() -> None:
    assert rate_shape(True, None, 100.0, (), (), None, "UTC") is None
    shape = rate_shape(True, None, None, ("5000/s@10s every 5m",), (), None, "UTC")
    assert shape is not None and shape.steady == 10.0  # the default --rate
    with pytest.raises(ConfigError, match="--burst shapes a live run's rate: add"):
        rate_shape(False, None, None, ("5000/s@10s every 5m",), (), None, "UTC")
    with pytest.raises(ConfigError, match="--ramp shapes a live run on the wall"):
        rate_shape(True, "2026-01-01", None, (), ("1/s..2/s over 1m",), None, "UTC")
    with pytest.raises(ConfigError, match="--timezone: unknown time zone"):
        rate_shape(True, None, None, (), (), "00:00=1/s", "Nowhere/Land")


def poisson(rate: float, seconds: float) -> Generator[Batch, None, None]:
    rng = random.Random(5)
    moment, times = START, []
    while moment < START + seconds:
        moment += rng.expovariate(rate)
        times.append(moment)
    for offset in range(0, len(times), 1000):
        part = times[offset : offset + 1000]
        yield Batch([{"t": t} for t in part], None, part[-1], times=part)


def kept_times(shape: RateShape) -> list[float]:
    batches = thinned(poisson(2000.0, 60.0), shape, 7)
    return [moment for batch in batches for moment in batch.times or ()]


def test_thinning_a_stream_at_the_peak_carries_the_shape() -> None:
    shape = RateShape(steady=200.0, bursts=(Burst(2000.0, 5.0, 20.0, 10.0),))
    shape = shape.starting_at(START)
    kept = kept_times(shape)
    assert kept == sorted(kept)
    assert kept == kept_times(shape)  # seeded
    inside = sum(1 for t in kept if (t - START - 10.0) % 20.0 < 5.0 and t >= START + 10)
    outside = len(kept) - inside
    assert inside / 15.0 == pytest.approx(2000.0, rel=0.05)  # three bursts of 5 s
    assert outside / 45.0 == pytest.approx(200.0, rel=0.1)


def test_a_live_run_carries_its_bursts_on_the_wall_clock() -> None:
    """100/s with bursts of 1000/s for 2 s every 6 s, 24 s of a test clock:
    each second's events within tolerance of the shape's rate, each event
    leaving when the clock reaches its time."""
    clock = SleepingClock(datetime.fromtimestamp(START, timezone.utc))
    ticking = Event({"name": "tick"}, limit=0, epm=60)
    simulation = Simulation(Flow(ticking), actors=50, seed=2)
    shape = RateShape(steady=100.0, bursts=(parse_burst("1000/s@2s every 6s"),))
    window = live_window(simulation, 100.0, duration=24.0, clock=clock, shape=shape)
    pace = Pace(1.0, window.first, shape)
    source = shaped_batches(simulation, window, shape, span=0.05)
    released: list[tuple[float, float]] = []  # (event time, clock when it left)
    for batch in paced(source, window.first, pace.speed, clock, pace.already(clock)):
        left = clock.now().timestamp()
        released += [(moment, left) for moment in batch.times or ()]
    # never early (the clock counts whole microseconds), at most a release late
    assert all(-1e-3 <= left - moment <= 0.1 for moment, left in released)
    into = [moment - window.first for moment, _ in released]
    in_bursts = [t for t in into if t >= 6 and t % 6.0 < 2]
    steady = len(released) - len(in_bursts)
    assert len(in_bursts) / 6.0 == pytest.approx(1000.0, rel=0.12)  # three bursts
    assert steady / 18.0 == pytest.approx(100.0, rel=0.2)


def test_on_the_real_clock_a_burst_arrives_at_its_rate() -> None:
    """5 s of the wall clock: 50/s, bursts of 500/s for 1 s every 2 s; the
    events that arrived within each burst second counted as a consumer
    would, by when they arrived."""
    clock = LiveClock()
    ticking = Event({"name": "tick"}, limit=0, epm=60)
    simulation = Simulation(Flow(ticking), actors=20, seed=3)
    shape = RateShape(steady=50.0, bursts=(parse_burst("500/s@1s every 2s"),))
    window = live_window(simulation, 50.0, duration=5.0, clock=clock, shape=shape)
    source = shaped_batches(simulation, window, shape, span=0.05)
    already = Pace(1.0, window.first, shape).already(clock)
    arrived: list[float] = []
    for batch in paced(source, window.first, 1.0, clock, already):
        arrived += [clock.now().timestamp() - window.first] * len(batch)
    # bursts at 2-3 s and 4-5 s; counted away from their edges
    bursts = sum(1 for t in arrived if t >= 2 and 0.05 <= t % 2.0 < 0.95)
    steady = sum(1 for t in arrived if t < 1.95 or 3.05 <= t < 3.95)
    assert bursts / 1.8 == pytest.approx(500.0, rel=0.25)
    assert steady / 2.85 == pytest.approx(50.0, rel=0.35)
