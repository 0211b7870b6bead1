"""`replay`: play journeys back in time order, at a chosen speed."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.cli.options import (
    choose_outputs,
    output_option,
    quiet_option,
    sink_options,
)
from datagen.cli.progress import summarise
from datagen.runs.replay import replay as run_replay


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="1 = real time, 60 = a minute per second, 0 = as fast as possible.",
)
@output_option("-", "'-' for JSON lines on stdout, else a folder")
@click.option(
    "--envelope",
    is_flag=True,
    help="Wrap each document with its journey, step and offset.",
)
@quiet_option("No summary.")
@sink_options
def replay(
    paths: tuple[Path, ...],
    speed: float,
    output_path: str | None,
    envelope: bool,
    quiet: bool,
    sink_specs: tuple[str, ...],
    routes: tuple[str, ...],
) -> None:
    """Replay journey zips (files or folders) in time order, paced by --speed.

    Example:

        python generate.py replay output/journeys --speed 60
    """
    outputs = choose_outputs(output_path, "-", "jsonl", sink_specs, routes)
    result = run_replay(paths, speed, envelope=envelope, outputs=outputs)
    summarise(result, "documents", quiet, per_sink=outputs.to_sinks)
