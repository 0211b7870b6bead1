"""`plot`: a chart of events per hour of day (or weekday) from a JSON-lines output."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.pictures.charts import BUCKETS, count_events, draw_counts


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--by",
    type=click.Choice(BUCKETS),
    default="hour",
    show_default=True,
    help="Count events per hour of day or per weekday.",
)
@click.option(
    "--field",
    default=None,
    help="The time field [default: event_timestamp, else timestamp, ...].",
)
@click.option(
    "-o",
    "--output",
    "output",
    default="events_per_hour.png",
    show_default=True,
    help="Chart to write: .png, .svg or .pdf.",
)
def plot(file: Path, by: str, field: str | None, output: str) -> None:
    """Chart events per hour of day from a JSON-lines output.

    Example:

        python generate.py simulate web --seed 1 -o web.jsonl
        python generate.py plot web.jsonl --by hour -o events_per_hour.png
    """
    counts = count_events(file, by, field)
    draw_counts(counts, Path(output))
    click.echo(f"wrote {output} ({counts.total:,} events)", err=True)
