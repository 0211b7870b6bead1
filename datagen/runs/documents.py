"""The `document` run: N documents of one provider into files or stdout."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path

from datagen.files.atomic import remove_temp_files
from datagen.runs.blocks import Block, plan_blocks, run_blocks
from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider, to_locale
from datagen.encoders import CsvEncoder, Encoder, get_encoder
from datagen.timefmt import DEFAULT_START
from datagen.errors import ConfigError
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.runs.loop import ProgressCallback, RunResult, Stopwatch, consume
from datagen.sinks.files import FileSink, FolderSink
from datagen.sinks.base import BaseSink
from datagen.runs.outputs import close_after, close_sinks, send_lines, target_file
from datagen.sinks.stdout import StdoutSink


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

    def blocks(self) -> list[Block]:
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


def generate_block(job: DocumentJob, block: Block) -> tuple[int, bytes]:
    """One block's documents: written as files (json folder) or returned encoded."""
    documents = _provider_for(job, block.seed).generate_many(block.count)
    if job.output is not None and job.format == "json":
        FolderSink(job.output, job.provider, first_index=block.start).send_many(
            documents
        )
        return block.count, b""
    return block.count, job.encoder().encode_many(documents)


def check_job(job: DocumentJob) -> DocumentJob:
    """Validate names and numbers before anything is written; fills csv columns."""
    if job.quantity < 1:
        raise ConfigError(f"quantity must be at least 1, not {job.quantity}")
    DOCUMENT_PROVIDERS.get(job.provider)
    safe_file_name(job.provider, "provider name")
    to_locale(job.locale)
    get_encoder(job.format)
    if job.format == "csv" and job.csv_columns is None:
        first = job.blocks()[0]
        sample = _provider_for(job, first.seed).generate_many(1)[0]
        job = DocumentJob(
            **{
                **job.__dict__,
                "csv_columns": tuple(CsvEncoder.for_sample(sample).columns or ()),
            }
        )
    return job


def write_documents(
    job: DocumentJob, workers: int = 1, on_progress: ProgressCallback | None = None
) -> RunResult:
    """Generate job.quantity documents into job.output (a folder, a file, or stdout).

    The bytes depend on the job only, never on `workers`. Ctrl-C keeps whole
    documents and reports how many. Raises ConfigError or ProviderError.
    """
    job = check_job(job)
    stopwatch = Stopwatch()
    results = run_blocks(partial(generate_block, job), job.blocks(), workers)
    if job.output is None:
        sink: StdoutSink | FileSink | None = StdoutSink()
        target = "stdout"
    elif job.format == "json":
        sink, target = None, str(prepare_output_folder(job.output))
    else:
        encoder = job.encoder()
        path = target_file(job.output, job.provider, encoder.extension)
        sink, target = FileSink(path, encoder), str(path)
    try:
        done, interrupted = consume(
            results, sink.write_encoded if sink else None, on_progress
        )
    except BaseException:
        if isinstance(sink, FileSink):
            sink.abort()
        raise
    finally:
        if job.output is not None and job.format == "json":
            remove_temp_files(job.output)
    if sink is not None:
        sink.close()
    if interrupted and job.format == "json" and job.output is not None:
        done = _count_written(job)
    return RunResult(
        done, job.quantity, target, job.seed, stopwatch.elapsed(), interrupted
    )


def send_documents(
    job: DocumentJob,
    sinks: Sequence[BaseSink],
    target: str,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> RunResult:
    """Generate job.quantity documents into sinks (--sink, --route, and -o as a
    sink), in order; the result carries each sink's counts. Workers encode JSON
    lines, which the sinks take as bytes or decoded once.
    """
    job = replace(check_job(job), output=None, format="jsonl")
    stopwatch = Stopwatch()
    results = run_blocks(partial(generate_block, job), job.blocks(), workers)
    try:
        done, interrupted = consume(
            results, lambda data, count: send_lines(sinks, data, count), on_progress
        )
    except BaseException as error:
        close_after(sinks, error)
        raise
    deliveries = close_sinks(sinks)
    return RunResult(
        done,
        job.quantity,
        target,
        job.seed,
        stopwatch.elapsed(),
        interrupted,
        deliveries,
    )


def _count_written(job: DocumentJob) -> int:
    """After Ctrl-C, the provider's documents in the folder (all whole: each file
    is renamed into place). One directory scan, not a look-up per index."""
    assert job.output is not None
    name = re.compile(rf"{re.escape(job.provider)}_(\d{{6,}})\.json")
    with os.scandir(job.output) as entries:
        return sum(
            1
            for entry in entries
            if (match := name.fullmatch(entry.name)) and int(match[1]) < job.quantity
        )
