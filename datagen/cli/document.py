"""`document`: N documents of one provider, or several related streams."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from datagen.cli.cluster import (
    cluster_option,
    cluster_run,
    on_stderr,
    parts_resumed,
    parts_target,
    refuse_object_store,
    shard_option,
)
from datagen.cli.declared import check_template, template_option
from datagen.cli.options import (
    CheckpointOptions,
    OutputRule,
    ProviderRun,
    checkpoint_options,
    format_option,
    provider_options,
)
from datagen.cli.params import DOCUMENT_PROVIDER
from datagen.cli.progress import ProgressBar, summarise
from datagen.cli.trust_options import CheckOptions, check_options, truth_option
from datagen.declarative.worker_setup import worker_setup
from datagen.runs.cluster.active import ActiveCluster
from datagen.runs.cluster.document_parts import (
    PartsTarget,
    resumed_seed,
    run_document_parts,
)
from datagen.runs.columnar import ENGINES
from datagen.runs.documents import DocumentJob, run_documents
from datagen.runs.loop import ProgressCallback
from datagen.runs.multistream import (
    Stream,
    StreamResult,
    order_streams,
    pair_counts,
    run_streams,
    stream_references,
)

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
    click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="auto",
        show_default=True,
        help="row: one document at a time; columnar: a block of 50,000 at a "
        "time, a field at a time (declared providers only; fields without a "
        "vectorised form are made per row: `validate --explain` lists them); "
        "auto: columnar when every field is vectorised.",
    ),
    check_options,
    truth_option,
    cluster_option,
    shard_option,
    checkpoint_options,
    several=True,
)
def document(
    run: ProviderRun,
    format_: str | None,
    engine: str,
    checking: CheckOptions,
    truth: Path | None,
    cluster: str | None,
    shard_items: int | None,
    checkpointing: CheckpointOptions,
) -> None:
    """Generate documents from a document provider.

    Example:

    \b
        python generate.py document -p starfleet_account -q 10000 -o accounts.jsonl
        python generate.py document -p order --sink kafka://127.0.0.1:9092/orders
        python generate.py document --template examples/eventer/event.jsonnet -q 10
        python generate.py document --providers-dir examples/related \
            -p customers -q 100 -p orders -q 1000 -o related/
        python generate.py document -p starfleet_account -q 10000000 \
            --cluster tcp://127.0.0.1:8786 -o accounts/ --format parquet
    """
    check_template(run.provider)
    several = run.several or stream_references(run.provider)
    if several:
        checkpointing.refuse("a run of several streams (or one referring to another)")
    target, resume = None, False
    if cluster is None:
        refuse_object_store(run.output_path)
    elif not several and checking.plain() and truth is None:
        target = parts_target(run, format_)  # checked before connecting
        location = None if target is None else target.location
        resume = target is not None and parts_resumed(checkpointing, location)
    if cluster is not None and target is None:
        checkpointing.refuse(
            "a --cluster run written here (one file, stdout): write parts"
            " (-o DIR/ --format jsonl) to resume one"
        )
    setup = worker_setup("document", run.providers or (run.provider,))
    with cluster_run(cluster, shard_items, run.quiet, setup) as active:
        if several:
            return _streams(run, format_, engine, checking, truth)
        if active is not None and target is not None:
            return _parts(run, target, engine, active, resume)
        _document(run, format_, engine, checking, truth, checkpointing)


def _document(
    run: ProviderRun,
    format_: str | None,
    engine: str,
    checking: CheckOptions,
    truth: Path | None,
    checkpointing: CheckpointOptions,
) -> None:
    """One provider's documents, written here in order (made here, in
    --workers processes or on the cluster)."""
    checkpoint = checkpointing.open(run.seed, run.seed_given)
    run = checkpointing.seeded(run, checkpoint)
    outputs = run.outputs(format_)
    job = run.job(DocumentJob, outputs.path, format=outputs.encoding, engine=engine)
    checks = checking.checks("document", run.seed, truth)
    checking.note_distributions(checks, "document", run.provider)
    with ProgressBar(run.quantity, "docs", not run.quiet, label=run.provider) as bar:
        bar.update(0 if checkpoint is None else checkpoint.start)
        with checks.recording():
            result = run_documents(
                job, outputs, run.workers, bar.update, checks, checkpoint=checkpoint
            )
    summarise(
        result,
        f"{run.provider} documents",
        run.quiet,
        per_sink=outputs.to_sinks,
        requested=run.quantity,
        stopped=checkpointing.stopped(checkpoint, result),
    )


def _parts(
    run: ProviderRun,
    target: PartsTarget,
    engine: str,
    active: ActiveCluster,
    resume: bool = False,
) -> None:
    """One provider's documents written by the cluster's workers: parts and
    their sinks; the summary counts every shard. `resume`: only the parts
    not yet published."""
    job = run.job(DocumentJob, None, format=target.format, engine=engine)
    if resume and not run.seed_given and target.location is not None:
        seed = resumed_seed(target.location)  # the parts' own, as --resume does
        job = job if seed is None else replace(job, seed=seed)
    with ProgressBar(run.quantity, "docs", not run.quiet, label=run.provider) as bar:
        result = run_document_parts(
            job, target, active, bar.update, resume, notice=on_stderr
        )
    stopped = None
    if result.interrupted and target.location is not None:
        stopped = (
            f"its published parts are kept: run the same command with --resume"
            f" {result.target} to make the rest"
        )
    summarise(
        result,
        f"{run.provider} documents",
        run.quiet,
        per_sink=bool(target.sinks),
        requested=run.quantity,
        stopped=stopped,
    )


def _streams(
    run: ProviderRun,
    format_: str | None,
    engine: str,
    checking: CheckOptions,
    truth: Path | None,
) -> None:
    """Several streams (or one referencing another), parents first, each to
    its own outputs and with its own checks: a summary line per stream and
    per sink."""
    order_streams(run.providers)  # a missing parent or a cycle named first
    outputs = run.stream_outputs(format_)
    counts = pair_counts(run.providers, run.quantities)
    checks = checking.checks("document", run.seed, truth)
    for name in run.providers:
        checking.note_distributions(checks, "document", name)
    bars: dict[str, ProgressBar] = {}

    def start(name: str, total: int) -> ProgressCallback:
        bars[name] = ProgressBar(total, "docs", not run.quiet, label=name)
        return bars[name].update

    def end(done: StreamResult) -> None:
        bars.pop(done.provider).close()
        summarise(
            done.result,
            f"{done.provider} documents",
            run.quiet,
            per_sink=outputs[done.provider].to_sinks,
            requested=done.requested,
        )

    streams = [Stream(name, counts[name], outputs[name]) for name in run.providers]
    try:
        with checks.recording():
            run_streams(
                streams,
                run.seed,
                locale=run.locale,
                now=run.now,
                workers=run.workers,
                on_start=start,
                on_end=end,
                checks=checks,
                engine=engine,
            )
    finally:
        for bar in bars.values():
            bar.close()
