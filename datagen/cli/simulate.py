"""`simulate`: many actors acting on one clock, as a batch or a live stream."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from datagen.cli.options import (
    F,
    choose_outputs,
    format_option,
    locale_option,
    output_option,
    quiet_option,
    resolve_seed,
    seed_option,
    sink_options,
    workers_option,
)
from datagen.cli.params import AT_LEAST_ONE, DURATION, RATE, SIMULATION
from datagen.cli.progress import ProgressBar, summarise
from datagen.engine.clock import LiveClock
from datagen.timefmt import parse_rate
from datagen.runs.simulation import write_simulation
from datagen.engine.model import Window
from datagen.engine.scripts import load_script, script_simulation
from datagen.engine.simulation import Simulation, find_simulation
from datagen.errors import ConfigError


def _load_script(
    _ctx: click.Context, _param: click.Parameter, path: Path | None
) -> ModuleType | None:
    """--script is eager: the file loads before NAME is checked, so NAME may be
    a simulation the script registers."""
    return None if path is None else load_script(path)


def _file_option(name: str, what: str, **more: Any) -> Callable[[F], F]:
    """An option naming a file, a Path (None when not given)."""
    return click.option(
        name, type=click.Path(path_type=Path), default=None, help=what, **more
    )


class _Progress:
    """The bar counts events toward --count, else simulated seconds toward --end."""

    def __init__(self, window: Window, count: int | None, quiet: bool) -> None:
        self.window = window
        self.count = count
        self.by_time = count is None and window.end is not None
        if count is not None:
            self.bar = ProgressBar(count, "events", enabled=not quiet)
        elif window.end is not None:
            span = int(window.end - window.start)
            self.bar = ProgressBar(span, "simulated s", enabled=not quiet)
        else:
            self.bar = ProgressBar(1, "events", enabled=False)
        self.reached = window.start

    def update(self, events: int, last: float) -> None:
        if self.by_time:
            step = int(last - self.window.start) - int(self.reached - self.window.start)
            self.reached = max(self.reached, last)
            if step > 0:
                self.bar.update(step)
        else:
            self.bar.update(events)


@click.command()
@click.argument("name", type=SIMULATION, required=False)
@click.option(
    "--actors", type=AT_LEAST_ONE, default=None, help="Actors [default: the model's]."
)
@click.option("--start", default=None, metavar="ISO-TIME", help="Simulated start.")
@click.option("--end", default=None, metavar="ISO-TIME", help="Simulated end.")
@click.option("--ticks", type=int, default=None, help="Run N ticks of the model.")
@click.option(
    "--duration",
    type=DURATION,
    default=None,
    help="Simulated length: 90s, 15m, 1h, 2d.",
)
@click.option("--live", is_flag=True, help="Pace events in wall-clock time.")
@click.option(
    "--rate", type=RATE, default=None, help="Live rate: 60/m, 500/s [default: 10/s]."
)
@click.option("--count", type=AT_LEAST_ONE, default=None, help="Stop after N events.")
@seed_option("Same seed, same stream.")
@workers_option(1, "Processes.")
@_file_option(
    "--profiles",
    "Profiles JSON: read if it exists (never written), else created and saved.",
)
@_file_option(
    "--profiles-out",
    "Where the profiles as the run leaves them are saved (may be --profiles).",
)
@_file_option("--config", "Configuration file for the simulation (e.g. web).")
@output_option("-", "'-' for stdout, else a file or folder")
@format_option(
    ("jsonl", "csv", "json"), "jsonl, csv, or json (a file per event in a folder)."
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="Zone of timestamps: UTC, Europe/Paris, +02:00.",
)
@_file_option(
    "--script",
    "A Python file defining `simulation` (or set_first_events).",
    is_eager=True,
    callback=_load_script,
)
@locale_option("Profiles' locale.")
@quiet_option()
@sink_options
def simulate(
    name: str | None,
    actors: int | None,
    start: str | None,
    end: str | None,
    ticks: int | None,
    duration: float | None,
    live: bool,
    rate: float | None,
    count: int | None,
    seed: int | None,
    workers: int,
    profiles: Path | None,
    profiles_out: Path | None,
    config: Path | None,
    output_path: str,
    format_: str,
    timezone: str,
    script: ModuleType | None,
    locale: str,
    quiet: bool,
    sink_specs: tuple[str, ...],
    routes: tuple[str, ...],
) -> None:
    """Simulate actors on one clock: event flows, state machines, web sessions,
    journeys; JSON lines on stdout by default.

    Example:

    \b
        python generate.py simulate customers --actors 100 --duration 1h --seed 7
        python generate.py simulate starfleet --actors 100 -o out/starfleet.jsonl
        python generate.py simulate web --live --rate 50/s --count 1000
        python generate.py simulate --script my_flows.py --duration 1d
    """
    clock = LiveClock()
    source = _source(name, script)
    per_second = _rate(live, rate)
    simulation = Simulation(
        source,
        actors,
        resolve_seed(seed),
        profiles,
        config,
        locale,
        profiles_out=profiles_out,
    )
    window = simulation.window(start, end, ticks, duration, timezone, live, clock)
    outputs = choose_outputs(output_path, "-", format_, sink_specs, routes)
    progress = _Progress(window, count, quiet or live)
    try:
        result = write_simulation(
            simulation,
            window,
            outputs,
            workers=workers,
            count=count,
            rate=per_second,
            clock=clock,
            on_progress=progress.update,
        )
    finally:
        progress.bar.close()
    summarise(result, f"{simulation.name} events", quiet, per_sink=outputs.to_sinks)


def _source(name: str | None, script: ModuleType | None) -> Any:
    """The simulation a NAME and/or --script names (the script has loaded
    already, so NAME may be one it registers)."""
    if script is not None:
        return find_simulation(name) if name else script_simulation(script)
    if not name:
        raise ConfigError("give a simulation NAME (see `list`) or --script FILE")
    return find_simulation(name)


def _rate(live: bool, rate: float | None) -> float | None:
    """Events per second of a live run (10/s unless --rate); None for a batch."""
    if rate is not None and not live:
        raise ConfigError("--rate paces a live run: add --live")
    if not live:
        return None
    return parse_rate("10/s") if rate is None else rate
