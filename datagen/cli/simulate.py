"""`simulate`: many actors acting on one clock, as a batch or a live stream.

Long (over 300 lines) because the one command takes every option of a
simulation run (its length, live pacing and rate shape, profiles, outputs,
checks, checkpoints, a cluster) and resolves them together in one place.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import click

from datagen.cli.options import (
    CheckpointOptions,
    OutputRule,
    checkpoint_options,
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
from datagen.cli.params import (
    ARRIVALS,
    AT_LEAST_ONE,
    DURATION,
    RATE,
    SIMULATION,
    SPEED,
)
from datagen.cli.rate_options import rate_shape, rate_shape_options
from datagen.cli.cluster import (
    cluster_option,
    cluster_run,
    is_parts_location,
    on_stderr,
    refuse_object_store,
    shard_option,
    simulation_setup,
)
from datagen.cli.progress import ProgressBar, summarise
from datagen.cli.trust_options import CheckOptions, check_options, truth_option
from datagen.cli.sources import (
    config_option,
    file_option,
    script_option,
    script_source,
)
from datagen.engine.clock import LiveClock
from datagen.errors import ConfigError
from datagen.runs.cluster.active import ActiveCluster
from datagen.runs.cluster.simulation_parts import write_simulation_parts
from datagen.engine.scripts import script_stream
from datagen.runs.outputs import Destination, Outputs
from datagen.runs.simulation import (
    LiveOptions,
    RunLength,
    plan_window,
    run_notes,
    write_simulation,
)
from datagen.engine.model import Window
from datagen.engine.simulation import Simulation

#: JSON lines on stdout; a folder gets <simulation>.jsonl unless --format.
OUTPUT = OutputRule("-", folder_format="jsonl")


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
        else:  # until every actor is done: a count with no end
            self.bar = ProgressBar(None, "events", enabled=not quiet)
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
    help="Length: 90s, 15m, 1h, 2d (simulated; wall-clock when --live).",
)
@click.option(
    "--live",
    is_flag=True,
    help="A stream on the wall clock: each event stamped when it leaves.",
)
@click.option(
    "--rate",
    type=RATE,
    default=None,
    help="Live events a second: 60/m, 500/s [default: 10/s].",
)
@rate_shape_options
@click.option(
    "--speed",
    type=SPEED,
    default=None,
    help="Live: simulated time runs X times as fast [default: 1].",
)
@click.option(
    "--arrivals",
    type=ARRIVALS,
    default=None,
    help="New actors joining: 100/h, 0 for none [default: the model's, see list].",
)
@click.option(
    "--count",
    type=AT_LEAST_ONE,
    default=None,
    help="Stop after N events (alone: run until there are N).",
)
@seed_option("Same seed, same stream.")
@workers_option(1, "Processes.")
@file_option(
    "--profiles",
    "Profiles JSON: read if it exists (never written), else created and saved.",
)
@file_option(
    "--profiles-out",
    "Where the profiles as the run leaves them are saved (may be --profiles).",
)
@config_option
@output_option(OUTPUT)
@format_option(
    ("jsonl", "csv", "json", "parquet"),
    "jsonl, csv, json (in a folder: a file per event; in a .json file: one "
    "array) or parquet [default: -o's extension, else jsonl].",
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="Zone of timestamps: UTC, Europe/Paris, +02:00.",
)
@script_option
@locale_option("Profiles' locale.")
@quiet_option()
@sink_options
@check_options
@truth_option
@checkpoint_options
@cluster_option
@shard_option
def simulate(
    name: str | None,
    actors: int | None,
    start: str | None,
    end: str | None,
    ticks: int | None,
    duration: float | None,
    live: bool,
    rate: float | None,
    bursts: tuple[str, ...],
    ramps: tuple[str, ...],
    daily: str | None,
    speed: float | None,
    arrivals: float | None,
    count: int | None,
    seed: int | None,
    workers: int,
    profiles: Path | None,
    profiles_out: Path | None,
    config: Path | None,
    output_path: str | None,
    format_: str | None,
    timezone: str,
    script: ModuleType | None,
    locale: str,
    quiet: bool,
    sink_specs: tuple[str, ...],
    routes: tuple[str, ...],
    checking: CheckOptions,
    truth: Path | None,
    checkpointing: CheckpointOptions,
    cluster: str | None,
    shard_items: int | None,
) -> None:
    """Simulate actors on one clock: event flows, state machines, web sessions,
    journeys; JSON lines on stdout by default.

    Example:

    \b
        python generate.py simulate customers --actors 100 --duration 1h --seed 7
        python generate.py simulate starfleet --actors 100 -o out/starfleet.jsonl
        python generate.py simulate web --live --rate 50/s --count 1000
        python generate.py simulate --script my_flows.py --duration 1d
        python generate.py simulate web --count 100000 -o web.jsonl \\
            --faults null=0.01,duplicate=0.01 --faults-manifest faults.jsonl
        python generate.py simulate web --actors 100000 --duration 1d \\
            -o web.jsonl --cluster tcp://127.0.0.1:8786
    """
    if cluster is not None:
        if live:
            raise ConfigError(
                "--cluster makes a batch run; a --live run follows one clock here"
            )
        checkpointing.refuse("a --cluster run of a simulation")
    elif output_path is not None:
        refuse_object_store(output_path)
    clock = LiveClock()
    source = script_source(name, script)
    resolved = resolve_seed(seed)
    checkpoint = checkpointing.open(resolved, seed is not None)
    simulation = Simulation(
        source,
        actors,
        checkpointing.seed(checkpoint, resolved),
        profiles,
        config,
        locale,
        profiles_out=profiles_out,
    )
    length = RunLength(start, end, ticks, duration, count)
    shape = rate_shape(live, start, rate, bursts, ramps, daily, timezone)
    options = LiveOptions(live, rate, speed, arrivals, shape)
    # the cluster is the run's until the command ends (click closes it then)
    active = click.get_current_context().with_resource(
        cluster_run(cluster, shard_items, quiet, simulation_setup(simulation))
    )
    parts = active is not None and is_parts_location(output_path, sink_specs, routes)
    if parts and format_ in (None, "jsonl") and checking.plain() and truth is None:
        assert active is not None
        assert output_path is not None
        window, _ = plan_window(simulation, length, options, timezone, clock)
        return _parts(simulation, window, output_path, active, count, quiet)
    outputs = choose_outputs(OUTPUT, output_path, format_, sink_specs, routes)
    destination, target = _destination(outputs, script, output_path)
    checks = checking.checks("simulate", simulation.seed, truth)
    checking.note_distributions(checks, "simulation", simulation.name, simulation.model)
    with checks.recording():  # a live run's set-up may be interrupted too
        window, pace = plan_window(simulation, length, options, timezone, clock)
        progress = _Progress(window, count, quiet or live)
        with progress.bar:
            result = write_simulation(
                simulation,
                window,
                destination,
                target,
                workers=workers,
                count=count,
                pace=pace,
                clock=clock,
                on_progress=progress.update,
                checks=checks,
                checkpoint=checkpoint,
            )
    notes = run_notes(
        window,
        pace,
        length,
        result,
        simulation.actors if actors is None and live else None,
    )
    summarise(
        result,
        f"{simulation.name} events",
        quiet,
        per_sink=destination is not outputs or outputs.to_sinks,
        requested=count,
        stopped="; ".join(
            note for note in (notes, checkpointing.stopped(checkpoint, result)) if note
        )
        or None,
    )


def _parts(
    simulation: Simulation,
    window: Window,
    location: str,
    active: ActiveCluster,
    count: int | None,
    quiet: bool,
) -> None:
    """The shards left as time-ordered parts in -o's folder or object store."""
    if count is not None:
        raise ConfigError(
            "--count applies to the merged stream: with --cluster and -o a folder"
            " the shards stay apart; give -o FILE, or --duration instead"
        )
    with ProgressBar(None, "events", not quiet, label=simulation.name) as bar:
        result = write_simulation_parts(
            active, simulation, window, location, bar.update, notice=on_stderr
        )
    summarise(result, f"{simulation.name} events", quiet)


def _destination(
    outputs: Outputs, script: ModuleType | None, output_path: str | None
) -> tuple[Destination, str]:
    """Where the events go: the outputs, or, when the command names none, the
    stream a faker-events script chose with EventGenerator.set_stream()."""
    stream = script_stream() if script is not None else None
    if stream is None or output_path is not None or outputs.to_sinks:
        return outputs, ""
    return [stream], f"the script's stream ({type(stream).__name__})"
