"""`journey`: N journeys of one provider, each a zip plus metadata JSON."""

from __future__ import annotations

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
from datagen.cli.params import JOURNEY_PROVIDER
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.journeys import JourneyJob, run_journeys


@click.command()
@click.option(
    "-p",
    "--provider",
    "--journey-provider",
    "--journey_provider",
    "provider",
    type=JOURNEY_PROVIDER,
    required=True,
    help="Journey provider name (see `list`).",
)
@quantity_option()
@output_option("./output/journeys")
@common_options
@sink_options
def journey(
    provider: str,
    quantity: int,
    output_path: str | None,
    seed: int | None,
    locale: str,
    start: str | None,
    workers: int,
    quiet: bool,
    sink_specs: tuple[str, ...],
    routes: tuple[str, ...],
) -> None:
    """Generate user journeys: <provider>_<user_id>.zip and .json per journey.

    With --sink or --route the journeys' steps are streamed instead, in time
    order across journeys (and -o, if given, gets the same stream as JSON lines).

    Example:

        python generate.py journey -p ecommerce -q 100 --seed 1

        python generate.py journey -p ecommerce --sink kafka://127.0.0.1:9092/shop
    """
    outputs = choose_outputs(
        output_path, "./output/journeys", "jsonl", sink_specs, routes
    )
    job = JourneyJob(
        provider=provider,
        quantity=quantity,
        seed=resolve_seed(seed),
        output=outputs.path,
        locale=locale,
        now=resolve_start(start),
    )
    streamed = outputs.to_sinks  # steps on one clock, not zips
    progress = ProgressBar(quantity, "journeys", enabled=not (quiet or streamed))
    try:
        result = run_journeys(job, outputs, workers, progress.update)
    finally:
        progress.close()
    what = "journey steps" if streamed else "journeys"
    summarise(result, f"{provider} {what}", quiet, per_sink=streamed)
