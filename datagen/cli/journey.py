"""`journey`: N journeys of one provider, each a zip plus metadata JSON."""

from __future__ import annotations

import click

from datagen.cli.cluster import cluster_option, cluster_run, shard_option
from datagen.cli.options import (
    CheckpointOptions,
    OutputRule,
    ProviderRun,
    checkpoint_options,
    provider_options,
)
from datagen.cli.params import JOURNEY_PROVIDER
from datagen.cli.progress import ProgressBar, summarise
from datagen.cli.trust_options import CheckOptions, check_options
from datagen.declarative.worker_setup import worker_setup
from datagen.errors import ConfigError
from datagen.runs.journeys import JourneyJob, run_journeys

#: A folder of zips (and metadata); a .jsonl or .json file of whole journeys.
OUTPUT = OutputRule("./output/journeys", "zip", file_formats=("jsonl", "json"))


@click.command()
@provider_options(
    "journey",
    JOURNEY_PROVIDER,
    OUTPUT,
    check_options,
    cluster_option,
    shard_option,
    checkpoint_options,
)
def journey(
    run: ProviderRun,
    checking: CheckOptions,
    cluster: str | None,
    shard_items: int | None,
    checkpointing: CheckpointOptions,
) -> None:
    """Generate user journeys: <provider>_<user_id>.zip and .json per journey
    in a folder; in a .jsonl file (or on stdout) a JSON line per journey.

    With --sink or --route the journeys' steps are streamed instead, in time
    order across journeys (and -o, if given, gets the same stream).

    --faults break whole journeys in a .jsonl file, or steps when streamed;
    never zips (a file per journey).

    Example:

    \b
        python generate.py journey -p ecommerce -q 100 --seed 1
        python generate.py journey -p ecommerce -q 100 -o journeys.jsonl
        python generate.py journey -p ecommerce --sink kafka://127.0.0.1:9092/shop
        python generate.py journey -p ecommerce -q 100000 --cluster local:2
    """
    if cluster is not None:
        checkpointing.refuse("a --cluster run (it is written here, in order)")
    checkpoint = checkpointing.open(run.seed, run.seed_given)
    run = checkpointing.seeded(run, checkpoint)
    outputs = run.outputs()
    job = run.job(JourneyJob, outputs.path)
    streamed = outputs.to_sinks  # steps on one clock, not whole journeys
    if streamed and cluster is not None:
        raise ConfigError(
            "journey --cluster makes whole journeys (zips, -o FILE); steps"
            " streamed to --sink/--route run on one clock here: drop --cluster"
        )
    total, unit = (None, "steps") if streamed else (run.quantity, "journeys")
    checks = checking.checks("journey", run.seed)
    setup = worker_setup("journey", (run.provider,))
    with ProgressBar(total, unit, not run.quiet, label=run.provider) as bar:
        bar.update(0 if checkpoint is None else checkpoint.start)
        with checks.recording(), cluster_run(cluster, shard_items, run.quiet, setup):
            result = run_journeys(
                job, outputs, run.workers, bar.update, checks, checkpoint
            )
    what = "journey steps" if streamed else "journeys"
    summarise(
        result,
        f"{run.provider} {what}",
        run.quiet,
        per_sink=streamed,
        requested=None if streamed else run.quantity,
        stopped=checkpointing.stopped(checkpoint, result),
    )
