"""`replay`: play journeys back in time order, at a chosen speed."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.cli.options import resolve_output
from datagen.cli.progress import summarise
from datagen.replay import replay as run_replay


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="1 = real time, 60 = a minute per second, 0 = as fast as possible.",
)
@click.option(
    "-o",
    "--output-path",
    "--output_path",
    "output_path",
    default="-",
    show_default=True,
    help="'-' for JSON lines on stdout, else a folder.",
)
@click.option(
    "--envelope",
    is_flag=True,
    help="Wrap each document with its journey, step and offset.",
)
@click.option("--quiet", is_flag=True, help="No summary.")
def replay(
    paths: tuple[Path, ...], speed: float, output_path: str, envelope: bool, quiet: bool
) -> None:
    """Replay journey zips (files or folders) in time order, paced by --speed.

    Example:

        python generate.py replay output/journeys --speed 60
    """
    result = run_replay(paths, speed, resolve_output(output_path), envelope)
    summarise(result, "documents", quiet)


COMMANDS = [replay]
