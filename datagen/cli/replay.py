"""`replay`: play journeys back in time order, at a chosen speed."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.cli.options import (
    OutputRule,
    choose_outputs,
    output_option,
    quiet_option,
    sink_options,
)
from datagen.cli.progress import ProgressBar, summarise
from datagen.runs.replay import replay as run_replay

#: JSON lines on stdout; a folder gets a JSON file per document.
OUTPUT = OutputRule("-", folder_format="json", file_formats=("jsonl", "json"))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="1 = real time, 60 = a minute per second, 0 = as fast as possible.",
)
@output_option(OUTPUT)
@click.option(
    "--envelope",
    is_flag=True,
    help="Wrap each document with its journey, step and offset.",
)
@quiet_option()
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

    \b
        python generate.py replay output/journeys --speed 60
        python generate.py replay output/journeys --speed 0 -o replayed.jsonl
    """
    outputs = choose_outputs(OUTPUT, output_path, None, sink_specs, routes)
    with ProgressBar(None, "documents", not quiet, label="replay") as bar:
        result = run_replay(
            paths,
            speed,
            envelope=envelope,
            on_progress=bar.update,
            outputs=outputs,
            on_total=bar.set_total,
        )
    summarise(
        result,
        "documents",
        quiet,
        per_sink=outputs.to_sinks,
        requested=result.requested,
    )
