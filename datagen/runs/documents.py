"""The `document` run: N documents of one provider into files, stdout or sinks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider
from datagen.encoders import CsvEncoder, Encoder, get_encoder
from datagen.engine.batches import Batch
from datagen.runs.blocks import (
    Block,
    Blocks,
    check_block_job,
    plan_blocks,
    run_block_job,
)
from datagen.runs.columnar import COLUMN_BLOCK, choose_engine
from datagen.runs.checkpoints import Checkpoint
from datagen.runs.loop import Observer, ProgressCallback, RunResult
from datagen.runs.outputs import Destination, Outputs, open_destination
from datagen.runs.record import Checks, run_checked
from datagen.sinks.base import BaseSink
from datagen.timefmt import DEFAULT_START


@dataclass(frozen=True)
class DocumentJob:
    """Everything that decides a document run's output (output is None for stdout)."""

    provider: str
    quantity: int
    seed: int
    output: Path | None
    format: str = "json"
    locale: str = "en"
    now: datetime = DEFAULT_START
    csv_columns: tuple[str, ...] | None = None
    #: `row`, `columnar`, or `auto` until check_job chooses (runs.columnar).
    engine: str = "auto"

    def blocks(self) -> Blocks:
        if self.engine == "columnar":
            return plan_blocks(
                self.quantity, self.seed, self.provider, "block", size=COLUMN_BLOCK
            )
        return plan_blocks(self.quantity, self.seed, self.provider, "block")

    def encoder(self) -> Encoder:
        if self.format == "csv":
            return CsvEncoder(self.csv_columns)
        return get_encoder(self.format)()


_providers: dict[tuple[type[DocumentProvider], str, datetime], DocumentProvider] = {}


def _provider_for(job: DocumentJob, seed: int) -> DocumentProvider:
    """The process's provider instance for job, reseeded (Field set-up is costly).

    Keyed by class, not name, so a name registered again gets a fresh instance."""
    provider_class = DOCUMENT_PROVIDERS.get(job.provider)
    key = (provider_class, job.locale, job.now)
    provider = _providers.get(key)
    if provider is None:
        provider = _providers[key] = provider_class(job.locale, seed, job.now)
    else:
        provider.reseed(seed)
    return provider


def make_documents(job: DocumentJob, block: Block) -> list[dict[str, Any]] | Batch:
    """One block's documents (a worker's work), numbered from block.start:
    dicts, or with the columnar engine a batch of columns."""
    if job.engine == "columnar":
        from datagen.engine.columns.batch import ColumnBatch  # numpy, Arrow

        return ColumnBatch(_column_block(job, block, block.count))
    provider = _provider_for(job, block.seed)
    provider.index = block.start
    return provider.generate_many(block.count)


def _column_block(job: DocumentJob, block: Block, count: int) -> Any:
    """The first count documents of a block as columns (a ColumnBlock),
    drawn as a whole block's (a run's short last block too)."""
    provider: Any = _provider_for(job, block.seed)
    return provider.make_block(block.start, count, block.seed, COLUMN_BLOCK)


def check_job(job: DocumentJob) -> DocumentJob:
    """Validate names and numbers before anything is written; chooses the
    engine and fills csv columns."""
    check_block_job(DOCUMENT_PROVIDERS, job.provider, job.quantity, job.locale)
    get_encoder(job.format)
    provider_class = DOCUMENT_PROVIDERS.get(job.provider)
    job = replace(job, engine=choose_engine(provider_class, job.engine, job.locale))
    if job.format == "csv" and job.csv_columns is None:
        job = replace(job, csv_columns=_sample_columns(job))
    return job


def _sample_columns(job: DocumentJob) -> tuple[str, ...]:
    """The CSV columns of the run: the flattened keys of its first document."""
    first = job.blocks()[0]
    if job.engine == "columnar":
        from datagen.engine.columns.csv_rows import csv_columns

        return tuple(csv_columns(_column_block(job, first, 1)))
    sample = _provider_for(job, first.seed).generate_many(1)[0]
    return tuple(CsvEncoder.for_sample(sample).columns or ())


def write_documents(
    job: DocumentJob, workers: int = 1, on_progress: ProgressCallback | None = None
) -> RunResult:
    """Generate job.quantity documents into job.output (a folder, a file, or stdout).

    The bytes depend on the job only, never on `workers`. Ctrl-C keeps whole
    documents and reports how many. Raises ConfigError or ProviderError.
    """
    outputs = Outputs(job.output, format=job.format)
    return run_documents(job, outputs, workers, on_progress)


def run_documents(
    job: DocumentJob,
    to: Destination,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    checks: Checks | None = None,
    observers: Sequence[Observer] = (),
    checkpoint: Checkpoint | None = None,
) -> RunResult:
    """Generate job.quantity documents to `to` (Outputs, opened here once the
    job is checked, in their format; or sinks), in order; the result carries
    each sink's counts. Sinks that write a file per document are written by
    the workers (see place_sinks). `checks`: faults and record of the
    stream (see datagen.runs.record); `observers` see the documents before
    any fault, in order, with the checks' own. `checkpoint`: saved as the
    run goes, and, resumed, the run starts at its block."""
    if isinstance(to, Outputs):
        job = replace(job, format=to.encoding)
    job = check_job(job)
    blocks = job.blocks() if checkpoint is None else checkpoint.blocks(job.blocks())
    sinks, target = open_destination(to, job.provider, job.encoder())
    _share_csv_columns(job, sinks)
    return run_checked(
        checks,
        job.provider,
        DOCUMENT_PROVIDERS.get(job.provider),
        sinks,
        job.seed,
        lambda faults, seen: run_block_job(
            partial(make_documents, job),
            blocks,
            sinks,
            target=target,
            seed=job.seed,
            workers=workers,
            on_progress=on_progress,
            faults=faults,
            observers=[*observers, *seen],
            checkpoint=checkpoint,
        ),
    )


def _share_csv_columns(job: DocumentJob, sinks: Sequence[BaseSink]) -> None:
    """Give every CSV sink the run's columns, so a block encoded in any
    worker has the same columns as the header."""
    for sink in sinks:
        if isinstance(sink.encoder, CsvEncoder) and sink.encoder.columns is None:
            columns = job.csv_columns or _sample_columns(job)
            sink.encoder.columns = list(columns)
