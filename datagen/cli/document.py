"""`document`: N documents of one provider."""

from __future__ import annotations

import click

from datagen.cli.declared import check_template, template_option
from datagen.cli.options import (
    OutputRule,
    ProviderRun,
    format_option,
    provider_options,
)
from datagen.cli.params import DOCUMENT_PROVIDER
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.documents import DocumentJob, run_documents

#: A folder of a pretty JSON file per document unless --format says otherwise.
OUTPUT = OutputRule("./output/documents", folder_format="json")


@click.command()
@provider_options(
    "document",
    DOCUMENT_PROVIDER,
    OUTPUT,
    format_option(
        ("json", "jsonl", "csv", "parquet"),
        "json (in a folder: a pretty file per document; in a .json file: one "
        "array), jsonl, csv or parquet [default: -o's extension, else json in a "
        "folder and jsonl on stdout].",
    ),
    template_option,
)
def document(run: ProviderRun, format_: str | None) -> None:
    """Generate documents from a document provider.

    Example:

    \b
        python generate.py document -p starfleet_account -q 10000 -o accounts.jsonl
        python generate.py document -p order --sink kafka://127.0.0.1:9092/orders
        python generate.py document --template examples/eventer/event.jsonnet -q 10
    """
    check_template(run.provider)
    outputs = run.outputs(format_)
    job = run.job(DocumentJob, outputs.path, format=outputs.encoding)
    with ProgressBar(run.quantity, "docs", not run.quiet, label=run.provider) as bar:
        result = run_documents(job, outputs, run.workers, bar.update)
    summarise(
        result,
        f"{run.provider} documents",
        run.quiet,
        per_sink=outputs.to_sinks,
        requested=run.quantity,
    )
