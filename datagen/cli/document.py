"""`document`: N documents of one provider."""

from __future__ import annotations

import click

from datagen.cli.options import (
    check_workers,
    common_options,
    output_option,
    quantity_option,
    resolve_output,
    resolve_seed,
    resolve_start,
)
from datagen.cli.progress import ProgressBar, summarise
from datagen.document_run import DocumentJob, write_documents


@click.command()
@click.option(
    "-p",
    "--provider",
    "--document-provider",
    "--document_provider",
    "provider",
    required=True,
    help="Document provider name (see `list`).",
)
@quantity_option()
@output_option("./output/documents")
@click.option(
    "--format",
    "format_",
    default="json",
    show_default=True,
    help="json (a pretty file per document), jsonl or csv.",
)
@common_options
def document(
    provider: str,
    quantity: int,
    output_path: str,
    format_: str,
    seed: int | None,
    locale: str,
    start: str | None,
    workers: int,
    quiet: bool,
) -> None:
    """Generate documents from a document provider.

    Example:

        python generate.py document -p starfleet_account -q 10000 --format jsonl
    """
    output = resolve_output(output_path)
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
        result = write_documents(job, check_workers(workers), progress.update)
    finally:
        progress.close()
    summarise(result, f"{provider} documents", quiet)


COMMANDS = [document]
