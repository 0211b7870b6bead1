"""`graph`: a picture of a simulation's states or pages, with their probabilities."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.pictures.graphs import FORMATS, simulation_graph, write_graph


@click.command()
@click.argument("name")
@click.option(
    "-o",
    "--output",
    "output",
    default="graph.png",
    show_default=True,
    help=f"Picture to write: {', '.join('.' + f for f in FORMATS)} "
    "(.png and .svg need Graphviz's `dot`).",
)
@click.option(
    "--config",
    default=None,
    metavar="PATH",
    help="The simulation's configuration (e.g. web probabilities).",
)
def graph(name: str, output: str, config: str | None) -> None:
    """Draw a state machine or web page graph with its probabilities.

    Example:

        python generate.py graph banking -o banking.png
        python generate.py graph web -o web.svg
    """
    path = Path(output)
    write_graph(simulation_graph(name, config), path)
    click.echo(f"wrote {path}", err=True)
