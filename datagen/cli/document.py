"""`document`: N documents of one provider."""

from __future__ import annotations

from dataclasses import replace

import click

from datagen.cli.options import (
    choose_outputs,
    common_options,
    output_option,
    quantity_option,
    resolve_seed,
    resolve_start,
    sink_options,
)
from datagen.cli.params import DOCUMENT_PROVIDER, Format
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.documents import DocumentJob, run_documents


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
    outputs = choose_outputs(
        output_path, "./output/documents", format_, sink_specs, routes
    )
    if outputs.local and outputs.path is None:
        outputs = replace(outputs, format="jsonl")  # stdout takes JSON lines
    job = DocumentJob(
        provider=provider,
        quantity=quantity,
        seed=resolve_seed(seed),
        output=outputs.path,
        format=outputs.format,
        locale=locale,
        now=resolve_start(start),
    )
    progress = ProgressBar(quantity, "docs", enabled=not quiet)
    try:
        result = run_documents(job, outputs, workers, progress.update)
    finally:
        progress.close()
    summarise(result, f"{provider} documents", quiet, per_sink=outputs.to_sinks)
