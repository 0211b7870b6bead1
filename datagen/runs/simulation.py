"""The `simulate` run: a simulation's batches into its sinks, in batch or live mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.model import Window
from datagen.engine.pacing import paced
from datagen.engine.simulation import Simulation
from datagen.runs.loop import RunResult, run_loop
from datagen.runs.outputs import Destination, open_destination

#: on_progress(events written, simulated epoch seconds reached)
SimulationProgress = Callable[[int, float], None]


def write_simulation(
    simulation: Simulation,
    window: Window,
    to: Destination,
    target: str = "",
    workers: int = 1,
    count: int | None = None,
    rate: float | None = None,
    clock: LiveClock | None = None,
    on_progress: SimulationProgress | None = None,
) -> RunResult:
    """Run the simulation to `to` (Outputs, opened here with files named after
    the simulation; or sinks, named `target` in the result); live (paced at
    rate events/s, each release flushed) when rate is set. Ctrl-C (or a closed
    stdout pipe) stops the run; the result says how many events were written."""
    sinks, target = open_destination(to, simulation.name, target=target)
    source = _batches(simulation, window, workers, count, rate, clock)
    result = run_loop(
        source,
        sinks,
        target=target,
        seed=simulation.seed,
        requested=count,
        flush_each=rate is not None,
        on_progress=(
            (lambda batch: on_progress(len(batch), batch.last)) if on_progress else None
        ),
    )
    if count is None:
        result.requested = result.count
    return result


def _batches(
    simulation: Simulation,
    window: Window,
    workers: int,
    count: int | None,
    rate: float | None,
    clock: LiveClock | None,
) -> Iterator[Batch]:
    """The simulation's batches, paced when rate is set; closing this closes
    the simulation's own stream too (its workers stop, its profiles are saved)."""
    source = simulation.batches(window, workers, count)
    try:
        if rate is None:
            yield from source
        else:
            yield from paced(source, rate, clock or LiveClock())
    finally:
        source.close()
