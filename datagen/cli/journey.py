"""`journey`: N journeys of one provider, each a zip plus metadata JSON."""

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
from datagen.journey_run import JourneyJob, write_journeys


@click.command()
@click.option(
    "-p",
    "--provider",
    "--journey-provider",
    "--journey_provider",
    "provider",
    required=True,
    help="Journey provider name (see `list`).",
)
@quantity_option()
@output_option("./output/journeys")
@common_options
def journey(
    provider: str,
    quantity: int,
    output_path: str,
    seed: int | None,
    locale: str,
    start: str | None,
    workers: int,
    quiet: bool,
) -> None:
    """Generate user journeys: <provider>_<user_id>.zip and .json per journey.

    Example:

        python generate.py journey -p ecommerce -q 100 --seed 1
    """
    job = JourneyJob(
        provider=provider,
        quantity=quantity,
        seed=resolve_seed(seed),
        output=resolve_output(output_path),
        locale=locale,
        now=resolve_start(start),
    )
    progress = ProgressBar(quantity, "journeys", enabled=not quiet)
    try:
        result = write_journeys(job, check_workers(workers), progress.update)
    finally:
        progress.close()
    summarise(result, f"{provider} journeys", quiet)


COMMANDS = [journey]
