"""`journey`: N journeys of one provider, each a zip plus metadata JSON."""

from __future__ import annotations

import click

from datagen.cli.options import ProviderRun, provider_options
from datagen.cli.params import JOURNEY_PROVIDER
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.journeys import JourneyJob, run_journeys

OUTPUT = "./output/journeys"


@click.command()
@provider_options("journey", JOURNEY_PROVIDER, OUTPUT)
def journey(run: ProviderRun) -> None:
    """Generate user journeys: <provider>_<user_id>.zip and .json per journey.

    With --sink or --route the journeys' steps are streamed instead, in time
    order across journeys (and -o, if given, gets the same stream as JSON lines).

    Example:

        python generate.py journey -p ecommerce -q 100 --seed 1

        python generate.py journey -p ecommerce --sink kafka://127.0.0.1:9092/shop
    """
    outputs = run.outputs("jsonl")
    job = run.job(JourneyJob, outputs.path)
    streamed = outputs.to_sinks  # steps on one clock, not zips
    enabled = not (run.quiet or streamed)
    with ProgressBar(run.quantity, "journeys", enabled=enabled) as progress:
        result = run_journeys(job, outputs, run.workers, progress.update)
    what = "journey steps" if streamed else "journeys"
    summarise(result, f"{run.provider} {what}", run.quiet, per_sink=streamed)
