"""--burst, --ramp and --daily: how a live run's rate changes over the run
(engine/rates.py), read into one RateShape with --rate and --timezone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from datagen.engine.rates import RateShape, make_shape
from datagen.errors import ConfigError
from datagen.runs.simulation import DEFAULT_LIVE_RATE
from datagen.timefmt import resolve_timezone

F = TypeVar("F", bound=Callable[..., Any])


def rate_shape_options(function: F) -> F:
    """The three options, passed as `bursts`, `ramps` and `daily`."""
    for option in reversed(
        [
            click.option(
                "--burst",
                "bursts",
                multiple=True,
                metavar="RATE@LENGTH every PERIOD",
                help="Live: RATE for LENGTH every PERIOD, the first one PERIOD"
                " in (or 'after 30s'): 5000/s@10s every 5m (repeatable).",
            ),
            click.option(
                "--ramp",
                "ramps",
                multiple=True,
                metavar="FROM..TO over LENGTH",
                help="Live: the rate from FROM to TO in a straight line over LENGTH,"
                " instead of --rate: 10/s..1000/s over 10m (repeatable: one after"
                " another; the last TO then holds).",
            ),
            click.option(
                "--daily",
                default=None,
                metavar="HH:MM=RATE,...",
                help="Live: the rate at times of day in --timezone, straight lines"
                " between them: 00:00=5/s,09:00=200/s,18:00=50/s (or percentages"
                " of --rate: 09:00=100%).",
            ),
        ]
    ):
        function = option(function)
    return function


def rate_shape(
    live: bool,
    start: str | None,
    rate: float | None,
    bursts: tuple[str, ...],
    ramps: tuple[str, ...],
    daily: str | None,
    timezone: str,
) -> RateShape | None:
    """The shape the options give (None without --burst, --ramp or
    --daily); ConfigError naming the option at fault."""
    given = [
        name
        for name, value in (("--burst", bursts), ("--ramp", ramps), ("--daily", daily))
        if value
    ]
    if not given:
        return None
    if not live:
        raise ConfigError(f"{given[0]} shapes a live run's rate: add --live")
    if start is not None:
        raise ConfigError(
            f"{given[0]} shapes a live run on the wall clock; a run from --start"
            " plays that simulated time at --speed instead: drop one of them"
        )
    return make_shape(
        rate,
        bursts,
        ramps,
        daily,
        resolve_timezone(timezone),
        default_rate=DEFAULT_LIVE_RATE,
    )
