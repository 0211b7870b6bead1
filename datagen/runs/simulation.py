"""The `simulate` run: a simulation's batches into its sinks, in batch or live mode."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.model import Window
from datagen.engine.pacing import Lateness, Pace, paced
from datagen.engine.live import live_window, shaped_batches
from datagen.engine.rates import RateShape
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError
from datagen.faults import FaultInjector
from datagen.timefmt import duration_text
from datagen.runs.checkpoints import Checkpoint
from datagen.runs.cluster.active import active_cluster
from datagen.runs.cluster.simulation_parts import simulation_batches
from datagen.runs.loop import Observer, RunResult, run_loop
from datagen.runs.outputs import Destination, open_destination
from datagen.runs.record import Checks, run_checked

#: A live run's rate when --rate is not given, events a second.
DEFAULT_LIVE_RATE = 10.0
#: The most wall-clock seconds one batch of a paced run covers: its events
#: are made (and can leave) in steps no longer than this.
PACED_BATCH_SECONDS = 0.05
#: Seconds behind its schedule a live run may fall before its summary says so.
FELL_BEHIND = 1.0
#: on_progress(events written, simulated epoch seconds reached)
SimulationProgress = Callable[[int, float], None]


def write_simulation(
    simulation: Simulation,
    window: Window,
    to: Destination,
    target: str = "",
    workers: int = 1,
    count: int | None = None,
    pace: Pace | None = None,
    clock: LiveClock | None = None,
    on_progress: SimulationProgress | None = None,
    checks: Checks | None = None,
    checkpoint: Checkpoint | None = None,
) -> RunResult:
    """Run the simulation to `to` (Outputs, opened here with files named after
    the simulation; or sinks, named `target` in the result); live when paced
    (each event released at its simulated time, each release flushed). Ctrl-C
    (or a closed stdout pipe) stops the run; the result says how many events
    were written. `checks`: faults, ground truth and record of the stream
    (see datagen.runs.record). `checkpoint`: saved as the run goes; resumed,
    the stream is made again and its first checkpoint.start events skipped
    (a batch run only: a live one is refused)."""
    if checkpoint is not None and pace is not None:
        checkpoint.unmake()
        raise ConfigError(
            "--checkpoint: a live run cannot go on where it stopped (its events "
            "follow the wall clock): checkpoint a batch run (no --live)"
        )
    sinks, target = open_destination(to, simulation.name, target=target)
    lateness = Lateness()
    source = _batches(simulation, window, workers, count, pace, clock, lateness)
    if checkpoint is not None and checkpoint.start:
        source = checkpoint.skip(source)

    def run(faults: FaultInjector | None, observers: Sequence[Observer]) -> RunResult:
        with _closing_model_sinks(simulation.model):
            result = run_loop(
                source,
                sinks,
                target=target,
                seed=simulation.seed,
                requested=count,
                flush_each=pace is not None,
                on_progress=(
                    (lambda batch: on_progress(len(batch), batch.last))
                    if on_progress
                    else None
                ),
                faults=faults,
                observers=observers,
                checkpoint=checkpoint,
            )
        if count is None:
            result.requested = result.count
        result.behind = lateness.worst
        return result

    return run_checked(
        checks,
        simulation.name,
        simulation.model,
        sinks,
        simulation.seed,
        run,
        ordered=True,
        paced=pace is not None,
    )


@contextmanager
def _closing_model_sinks(model: object) -> Iterator[None]:
    """A model's own sinks (a state machine's per-transition ones, from a
    doge-datagen script) are closed when the run ends, however it ends, so
    what they buffer is written."""
    try:
        yield
    finally:
        close = getattr(model, "close_sinks", None)
        if callable(close):
            close()


def _batches(
    simulation: Simulation,
    window: Window,
    workers: int,
    count: int | None,
    pace: Pace | None,
    clock: LiveClock | None,
    lateness: Lateness,
) -> Iterator[Batch]:
    """The simulation's batches, paced when live; closing this closes the
    simulation's own stream too (its workers stop, its profiles are saved)."""
    span = None if pace is None else PACED_BATCH_SECONDS * pace.speed
    cluster = active_cluster()
    if cluster is not None and pace is None:
        source: Generator[Batch, None, None] = simulation_batches(
            cluster, simulation, window, count
        )
    elif pace is not None and pace.shape is not None:
        source = shaped_batches(
            simulation, window, pace.shape, workers, count, span, pace.speed
        )
    else:
        source = simulation.batches(window, workers, count, span)
    try:
        if pace is None:
            yield from source
        else:
            simulation.population  # made before the clock starts: no late start
            clock = clock or LiveClock()
            already = pace.already(clock)
            yield from paced(source, window.first, pace.speed, clock, already, lateness)
    finally:
        source.close()


@dataclass(frozen=True)
class RunLength:
    """What ends a run, as the user gave it (None: not given); in a live run
    --duration is wall-clock time."""

    start: str | None = None
    end: str | None = None
    ticks: int | None = None
    duration: float | None = None
    count: int | None = None


@dataclass(frozen=True)
class LiveOptions:
    """--live, --rate (events a wall-clock second), --speed, --arrivals, and
    the rate's shape over the run (--burst, --ramp, --daily)."""

    live: bool = False
    rate: float | None = None
    speed: float | None = None
    arrivals: float | None = None
    shape: RateShape | None = None


def plan_window(
    simulation: Simulation,
    length: RunLength,
    options: LiveOptions,
    timezone: str = "UTC",
    clock: LiveClock | None = None,
) -> tuple[Window, Pace | None]:
    """The run's window, and how it follows the wall clock (None: a batch run).

    A live run follows the wall clock: its events are stamped with the time
    they leave, and --rate is carried by the model (engine.live). With
    --start it plays that simulated time instead, the same events as the
    batch run, at --speed. ConfigError for options that do not go together.
    """
    clock = clock or LiveClock()
    if not options.live:
        for name, value in (("--rate", options.rate), ("--speed", options.speed)):
            if value is not None:
                raise ConfigError(f"{name} paces a live run: add --live")
        return _batch_window(simulation, length, options, timezone), None
    speed = 1.0 if options.speed is None else options.speed
    if length.start is not None:
        if options.rate is not None:
            raise ConfigError(
                "--rate sets how much a live run on the wall clock carries; a run"
                " from --start plays that simulated time at --speed instead: drop"
                " one of them"
            )
        duration = None if length.duration is None else length.duration * speed
        played = replace(length, duration=duration)
        return _batch_window(simulation, played, options, timezone), Pace(speed, None)
    rate = DEFAULT_LIVE_RATE if options.rate is None else options.rate
    window = live_window(
        simulation,
        rate,
        duration=length.duration,
        end=length.end,
        ticks=length.ticks,
        speed=speed,
        zone=timezone,
        arrivals=options.arrivals,
        clock=clock,
        shape=options.shape,
    )
    return window, Pace(speed, window.first, options.shape)


def _batch_window(
    simulation: Simulation, length: RunLength, options: LiveOptions, timezone: str
) -> Window:
    """The window of the batch run these options describe (a live run from
    --start plays the same)."""
    return simulation.window(
        length.start,
        length.end,
        length.ticks,
        length.duration,
        timezone,
        count=length.count,
        arrivals=options.arrivals,
    )


def run_notes(
    window: Window,
    pace: Pace | None,
    length: RunLength,
    result: RunResult,
    actors: int | None = None,
) -> str | None:
    """What the summary adds: why a run wrote fewer events than --count asked,
    and how a live run kept its rate and clock (with `actors`, when the rate
    set how many there were)."""
    notes = []
    count = length.count
    ended_early = result.interrupted or result.reader_gone
    made = result.count - result.inserted  # duplicates are the faults'
    if count is not None and made < count and not ended_early:
        notes.append(_stopped_by(window, length, pace))
    if pace is not None and pace.speed != 1:
        notes.append(f"--speed {pace.speed:g}: simulated time ran {pace.speed:g}x")
    if pace is not None and pace.shape is not None:
        notes.append(pace.shape.describe())
    if window.intensity != 1:
        notes.append(f"each actor acted {window.intensity:,.4g}x as often as the model")
    if actors is not None:
        notes.append(f"{actors:,} actors")
    held = window.arrivals
    if pace is not None and held is not None and held.holding is not None:
        notes.append("journeys started as many as the rate needs")
    if result.behind > FELL_BEHIND:
        notes.append(
            f"fell up to {result.behind:,.1f}s behind the clock: the model makes"
            " fewer events a second than asked on this machine"
        )
    return "; ".join(notes) or None


def _stopped_by(window: Window, length: RunLength, pace: Pace | None) -> str:
    if window.end is None:
        return "every actor was done"
    if length.end is not None:
        return f"stopped at --end {length.end}"
    if length.ticks is not None:
        return f"stopped at --ticks {length.ticks:,}"
    if length.duration is not None:
        return f"stopped at --duration {duration_text(length.duration)}"
    return f"stopped at the model's length, {duration_text(window.end - window.start)}"
