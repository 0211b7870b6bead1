"""`document`: N documents of one provider."""

from __future__ import annotations

import click

from datagen.cli.options import (
    check_workers,
    choose_output,
    common_options,
    output_option,
    quantity_option,
    resolve_seed,
    resolve_start,
    sink_options,
)
from datagen.cli.params import DOCUMENT_PROVIDER, Format
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.documents import (
    DocumentJob,
    check_job,
    send_documents,
    write_documents,
)
from datagen.runs.loop import RunResult
from datagen.runs.outputs import open_run_sinks


@click.command()
@click.option(
    "-p",
    "--provider",
    "--document-provider",
    "--document_provider",
    "provider",
    type=DOCUMENT_PROVIDER,
    required=True,
    help="Document provider name (see `list`).",
)
@quantity_option()
@output_option("./output/documents")
@click.option(
    "--format",
    "format_",
    type=Format(("json", "jsonl", "csv")),
    default="json",
    show_default=True,
    help="json (a pretty file per document), jsonl or csv.",
)
@common_options
@sink_options
def document(
    provider: str,
    quantity: int,
    output_path: str | None,
    format_: str,
    seed: int | None,
    locale: str,
    start: str | None,
    workers: int,
    quiet: bool,
    sink_specs: tuple[str, ...],
    routes: tuple[str, ...],
) -> None:
    """Generate documents from a document provider.

    Example:

        python generate.py document -p starfleet_account -q 10000 --format jsonl

        python generate.py document -p order --sink kafka://127.0.0.1:9092/orders
    """
    choice = choose_output(output_path, "./output/documents", sink_specs, routes)
    output = choice.path
    job = DocumentJob(
        provider=provider,
        quantity=quantity,
        seed=resolve_seed(seed),
        output=output,
        format="jsonl" if output is None else format_,
        locale=locale,
        now=resolve_start(start),
    )
    progress = ProgressBar(quantity, "docs", enabled=not quiet)
    try:
        if choice.to_sinks:
            result = _to_sinks(job, choice.local, sink_specs, routes, workers, progress)
        else:
            result = write_documents(job, check_workers(workers), progress.update)
    finally:
        progress.close()
    summarise(result, f"{provider} documents", quiet, per_sink=choice.to_sinks)


def _to_sinks(
    job: DocumentJob,
    local: bool,
    sink_specs: tuple[str, ...],
    routes: tuple[str, ...],
    workers: int,
    progress: ProgressBar,
) -> RunResult:
    """The run with --sink/--route: -o, when given, is one more sink."""
    check_job(job)
    check_workers(workers)
    sinks, target = open_run_sinks(
        job.output,
        local,
        job.format,
        job.provider,
        sink_specs,
        routes,
    )
    return send_documents(job, sinks, target, workers, progress.update)
