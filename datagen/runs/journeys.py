"""The `journey` run: N journeys of one provider as zips + metadata, or JSON lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import orjson

from datagen.files.atomic import remove_temp_files
from datagen.runs.blocks import Block, plan_blocks, run_blocks
from datagen.documents import to_locale
from datagen.timefmt import DEFAULT_START
from datagen.errors import ConfigError
from datagen.files.journey_archive import write_journey
from datagen.journeys import JOURNEY_PROVIDERS, JourneyProvider, create_journey_provider
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.runs.loop import ProgressCallback, RunResult, Stopwatch, consume
from datagen.seeding import derive_seed
from datagen.sinks.base import BaseSink
from datagen.sinks.stdout import StdoutSink

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


def journey_line(journey: JourneyProvider) -> bytes:
    """A journey as one JSON line: its metadata and its documents in step order."""
    return orjson.dumps(journey.record(), option=orjson.OPT_APPEND_NEWLINE)


def _check(job: JourneyJob) -> None:
    """Names and numbers checked before anything is written."""
    if job.quantity < 1:
        raise ConfigError(f"quantity must be at least 1, not {job.quantity}")
    JOURNEY_PROVIDERS.get(job.provider)
    safe_file_name(job.provider, "journey provider name")
    to_locale(job.locale)


def generate_journey_block(job: JourneyJob, block: Block) -> tuple[int, bytes]:
    """One block of journeys, written as files or returned as JSON lines."""
    lines = []
    for index in range(block.start, block.start + block.count):
        journey = job.journey(index)
        if job.output is None:
            lines.append(journey_line(journey))
        else:
            write_journey(journey.record(), job.output)
    return block.count, b"".join(lines)


def write_journeys(
    job: JourneyJob, workers: int = 1, on_progress: ProgressCallback | None = None
) -> RunResult:
    """Generate job.quantity journeys; same seed, same bytes, whatever `workers`."""
    _check(job)
    stopwatch = Stopwatch()
    blocks = plan_blocks(job.quantity, job.seed, size=JOURNEYS_PER_BLOCK)
    sink = StdoutSink() if job.output is None else None
    if job.output is not None:
        prepare_output_folder(job.output)
    results = run_blocks(partial(generate_journey_block, job), blocks, workers)
    try:
        done, interrupted = consume(
            results, sink.write_encoded if sink else None, on_progress
        )
    finally:
        if job.output is not None:
            remove_temp_files(job.output)
    if sink is not None:
        sink.close()
    if interrupted and job.output is not None:
        done = _keep_whole_journeys(job.output, job.provider)
    target = "stdout" if job.output is None else str(job.output)
    return RunResult(
        done, job.quantity, target, job.seed, stopwatch.elapsed(), interrupted
    )


def _keep_whole_journeys(folder: Path, provider: str) -> int:
    """After Ctrl-C: remove zips whose metadata was not written yet (the metadata
    marks a whole journey) and return how many whole journeys the folder holds."""
    whole = 0
    for zip_path in folder.glob(f"{provider}_*.zip"):
        if zip_path.with_suffix(".json").exists():
            whole += 1
        else:
            zip_path.unlink(missing_ok=True)
    return whole


def stream_journeys(
    job: JourneyJob,
    sinks: Sequence[BaseSink],
    target: str,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> RunResult:
    """The job's journeys interleaved on one clock, each step sent to the sinks
    at its place in time (as an envelope naming journey, user and step) instead
    of being zipped: journey i is the one write_journeys would zip."""
    from datagen.runs.simulation import write_simulation
    from datagen.engine.simulation import Simulation

    _check(job)
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
    )
    result.requested = result.count
    return result
