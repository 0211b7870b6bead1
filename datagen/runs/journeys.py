"""The `journey` run: N journeys of one provider as zips + metadata, or JSON lines;
with sinks, their steps streamed on one clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from datagen.engine.simulation import Simulation
from datagen.journeys import JOURNEY_PROVIDERS, JourneyProvider, create_journey_provider
from datagen.runs.blocks import Block, check_block_job, plan_blocks, run_block_job
from datagen.runs.checkpoints import Checkpoint
from datagen.runs.loop import ProgressCallback, RunResult
from datagen.runs.outputs import Destination, Outputs, open_destination
from datagen.runs.record import Checks, run_checked
from datagen.runs.simulation import write_simulation
from datagen.seeding import derive_seed
from datagen.timefmt import DEFAULT_START

JOURNEYS_PER_BLOCK = 50


@dataclass(frozen=True)
class JourneyJob:
    """Everything that decides a journey run's output (output None = stdout)."""

    provider: str
    quantity: int
    seed: int
    output: Path | None
    locale: str = "en"
    now: datetime = DEFAULT_START

    def journey(self, index: int) -> JourneyProvider:
        """Journey number index of the run, built; its seed depends on index only."""
        seed = derive_seed(self.seed, self.provider, "journey", index)
        journey = create_journey_provider(self.provider, self.locale, seed, self.now)
        journey.generate()
        return journey


def _check(job: JourneyJob) -> None:
    """Names and numbers checked before anything is written."""
    check_block_job(JOURNEY_PROVIDERS, job.provider, job.quantity, job.locale)


def make_journeys(job: JourneyJob, block: Block) -> list[dict[str, Any]]:
    """One block of journeys as records: metadata and documents (a worker's work)."""
    return [
        job.journey(index).record()
        for index in range(block.start, block.start + block.count)
    ]


def write_journeys(
    job: JourneyJob, workers: int = 1, on_progress: ProgressCallback | None = None
) -> RunResult:
    """Generate job.quantity journeys: a zip and metadata each into job.output,
    or a JSON line each on stdout; same seed, same bytes, whatever `workers`."""
    folder_or_stdout = "jsonl" if job.output is None else "zip"
    return _write_records(
        job, Outputs(job.output, format=folder_or_stdout), workers, on_progress
    )


def _write_records(
    job: JourneyJob,
    outputs: Outputs,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    checks: Checks | None = None,
    checkpoint: Checkpoint | None = None,
) -> RunResult:
    """The journeys as records into outputs: a zip and metadata each into a
    folder (format `zip`), else a JSON line each (or one JSON array); from
    the checkpoint's block on, when resumed."""
    _check(job)
    planned = plan_blocks(job.quantity, job.seed, size=JOURNEYS_PER_BLOCK)
    blocks = planned if checkpoint is None else checkpoint.blocks(planned)
    sinks, target = outputs.open(job.provider)
    return run_checked(
        checks,
        job.provider,
        JOURNEY_PROVIDERS.get(job.provider),
        sinks,
        job.seed,
        lambda faults, seen: run_block_job(
            partial(make_journeys, job),
            blocks,
            sinks,
            target=target,
            seed=job.seed,
            workers=workers,
            on_progress=on_progress,
            faults=faults,
            observers=seen,
            checkpoint=checkpoint,
        ),
    )


def run_journeys(
    job: JourneyJob,
    to: Destination,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    checks: Checks | None = None,
    checkpoint: Checkpoint | None = None,
) -> RunResult:
    """The journeys to `to`. Outputs with only a local output: zips and
    metadata in its folder (or JSON lines on stdout), as write_journeys.
    With --sink/--route (or sinks given), the journeys' steps interleaved on
    one clock, each sent at its place in time (as an envelope naming journey,
    user and step), and -o gets them as JSON lines: journey i is the one
    write_journeys would zip; on_progress counts steps. `checks`: faults
    and record of the stream (see datagen.runs.record); zips take none.
    `checkpoint`: saved as the run goes; resumed, the run goes on from it."""
    if isinstance(to, Outputs) and not to.to_sinks:
        return _write_records(
            replace(job, output=to.path), to, workers, on_progress, checks, checkpoint
        )
    _check(job)
    if isinstance(to, Outputs) and to.format == "zip":
        to = replace(to, format="jsonl")  # a folder gets the steps as JSON lines
    sinks, target = open_destination(to, job.provider)
    simulation = Simulation(job.provider, job.quantity, job.seed, locale=job.locale)
    window = simulation.window(start=job.now)
    result = write_simulation(
        simulation,
        window,
        sinks,
        target,
        workers,
        on_progress=(
            (lambda events, _last: on_progress(events)) if on_progress else None
        ),
        checks=checks,
        checkpoint=checkpoint,
    )
    result.requested = result.count
    return result
