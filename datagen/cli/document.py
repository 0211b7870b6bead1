"""`document`: N documents of one provider."""

from __future__ import annotations

from dataclasses import replace

import click

from datagen.cli.options import ProviderRun, format_option, provider_options
from datagen.cli.params import DOCUMENT_PROVIDER
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.documents import DocumentJob, run_documents

OUTPUT = "./output/documents"


@click.command()
@provider_options(
    "document",
    DOCUMENT_PROVIDER,
    OUTPUT,
    format_option(
        ("json", "jsonl", "csv"), "json (a pretty file per document), jsonl or csv."
    ),
)
def document(run: ProviderRun, format_: str) -> None:
    """Generate documents from a document provider.

    Example:

        python generate.py document -p starfleet_account -q 10000 --format jsonl

        python generate.py document -p order --sink kafka://127.0.0.1:9092/orders
    """
    outputs = run.outputs(format_)
    if outputs.local and outputs.path is None:
        outputs = replace(outputs, format="jsonl")  # stdout takes JSON lines
    job = run.job(DocumentJob, outputs.path, format=outputs.format)
    with ProgressBar(run.quantity, "docs", enabled=not run.quiet) as progress:
        result = run_documents(job, outputs, run.workers, progress.update)
    summarise(result, f"{run.provider} documents", run.quiet, per_sink=outputs.to_sinks)
