"""A simulation written to its sinks: batches in, counts out, safe on Ctrl-C.

The run loop writes every batch to a list of sinks. A sink is anything with
send(event); send_many(events) is used when present, and the file and stdout
writers (write_encoded + an encoder) get bytes, the JSON lines workers made
already. flush() (live runs, after each release) and close() are optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from datagen.encoders import JsonLinesEncoder
from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.pacing import paced
from datagen.engine.model import Window
from datagen.engine.simulation import Simulation
from datagen.runs.loop import RunResult, Stopwatch
from datagen.sinks.base import Sink
from datagen.runs.outputs import close_after, close_sinks

#: on_progress(events written, simulated epoch seconds reached)
SimulationProgress = Callable[[int, float], None]


def deliver(sink: Sink, batch: Batch) -> None:
    """One batch to one sink, in the cheapest form the sink takes."""
    write_encoded = getattr(sink, "write_encoded", None)
    encoder = getattr(sink, "encoder", None)
    if write_encoded is not None and isinstance(encoder, JsonLinesEncoder):
        write_encoded(b"".join(batch.lines()), len(batch))
    elif write_encoded is not None and encoder is not None:
        write_encoded(encoder.encode_many(batch.events()), len(batch))
    elif hasattr(sink, "send_many"):
        sink.send_many(batch.events())  # type: ignore[attr-defined]
    else:
        for event in batch.events():
            sink.send(event)


def write_simulation(
    simulation: Simulation,
    window: Window,
    sinks: Sequence[Sink],
    target: str,
    workers: int = 1,
    count: int | None = None,
    rate: float | None = None,
    clock: LiveClock | None = None,
    on_progress: SimulationProgress | None = None,
) -> RunResult:
    """Run the simulation into sinks; live (paced at rate events/s) when rate is set.

    Ctrl-C (or a closed stdout pipe) stops the run; the sinks are closed and
    the result says how many events were written. Other errors abort file
    sinks and propagate.
    """
    stopwatch = Stopwatch()
    source = simulation.batches(window, workers, count)
    batches: Iterator[Batch] = source
    if rate is not None:
        batches = paced(source, rate, clock or LiveClock())
    live = rate is not None
    done, interrupted = 0, False
    try:
        for batch in batches:
            for sink in sinks:
                deliver(sink, batch)
                if live and hasattr(sink, "flush"):
                    sink.flush()  # type: ignore[attr-defined]
            done += len(batch)
            if on_progress is not None:
                on_progress(len(batch), batch.last)
    except KeyboardInterrupt:
        interrupted = True
    except BrokenPipeError:
        pass  # `| head`: the reader has what it wanted
    except BaseException as error:
        _close_quietly(batches, source)
        close_after(sinks, error)
        raise
    _close_quietly(batches, source)
    try:
        deliveries = close_sinks(sinks)
    except BrokenPipeError:
        deliveries = []
    return RunResult(
        done,
        count or done,
        target,
        simulation.seed,
        stopwatch.elapsed(),
        interrupted,
        deliveries,
    )


def _close_quietly(*generators: Any) -> None:
    """Stop the workers and save the profiles, even after Ctrl-C."""
    for generator in generators:
        try:
            generator.close()
        except (KeyboardInterrupt, BrokenPipeError):
            pass
