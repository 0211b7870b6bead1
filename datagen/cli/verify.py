"""`verify`: read outputs back and check them against their run's record."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.cli.params import DURATION
from datagen.documents import DOCUMENT_PROVIDERS
from datagen.engine.model import SIMULATIONS
from datagen.errors import UnknownName
from datagen.verify.choices import DEFAULT_LEVEL
from datagen.declarative.distributions import Distributions, configured_distributions
from datagen.verify.run import Settings, verify as run_verify

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("outputs", nargs=-1)
@click.option(
    "--against",
    metavar="NAME",
    help="Test the choices of this simulation or document provider.",
)
@click.option(
    "--config",
    type=_FILE,
    help="The --config file the --against simulation ran with (e.g. web's).",
)
@click.option("--manifest", type=_FILE, help="The run's --manifest file.")
@click.option(
    "--faults-manifest", "faults", type=_FILE, help="The run's --faults-manifest."
)
@click.option(
    "--truth",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The run's --truth folder: DIR/<stream>.jsonl.",
)
@click.option(
    "--ref",
    "references",
    multiple=True,
    metavar="S.FIELD=P.FIELD",
    help="A reference to check, e.g. orders.customer_id=customers.id.",
)
@click.option("--time", "time_field", metavar="FIELD", help="The time field.")
@click.option("--actor", "actor_field", metavar="FIELD", help="The actor field.")
@click.option("--key", "key_field", metavar="FIELD", help="The key field.")
@click.option(
    "--lag",
    type=DURATION,
    help="Late: older than the watermark by this (90s, 10m) [default: the "
    "manifest's faults spec's, else 10m].",
)
@click.option(
    "--level",
    type=float,
    default=DEFAULT_LEVEL,
    show_default=True,
    help="Significance level of the chi-square tests.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def verify(
    ctx: click.Context,
    outputs: tuple[str, ...],
    against: str | None,
    config: Path | None,
    manifest: Path | None,
    faults: Path | None,
    truth: Path | None,
    references: tuple[str, ...],
    time_field: str | None,
    actor_field: str | None,
    key_field: str | None,
    lag: float | None,
    level: float,
    as_json: bool,
) -> None:
    """Check outputs (JSONL, CSV, Parquet files, a folder of JSON files, or a
    table by its sink URL) against the run's manifest, faults manifest and
    ground truth: each configured choice (chi-square), references across
    streams, time order, counts, the faulted records exactly, the final
    state. A stream is named by its file or table, or NAME=OUTPUT. Exits 0
    when every check passes, 1 when one fails, 2 for bad input.

    Example:

    \b
        python generate.py verify out.jsonl --manifest run.json \\
            --faults-manifest faults.jsonl
        python generate.py verify customers.jsonl orders.jsonl \\
            --ref orders.customer_id=customers.id
    """
    settings = Settings(
        outputs,
        manifest=manifest,
        faults=faults,
        truth=truth,
        against=_distributions(against, config) if against else {},
        references=references,
        time_field=time_field,
        actor_field=actor_field,
        key_field=key_field,
        level=level,
        lag=lag,
    )
    report = run_verify(settings)
    if as_json:
        click.echo(report.as_json().decode(), nl=False)
    else:
        click.echo(report.as_text())
    if not report.passed:
        ctx.exit(1)


def _distributions(name: str, config: Path | None) -> Distributions:
    """The choices of the simulation called name (with its --config file),
    else the document provider."""
    if name in SIMULATIONS:
        return configured_distributions("simulation", name, config=config)
    if name in DOCUMENT_PROVIDERS:
        return configured_distributions("document", name)
    known = {*SIMULATIONS, *DOCUMENT_PROVIDERS}
    raise UnknownName("simulation or document provider", name, known)
