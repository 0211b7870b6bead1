"""`graph`: a picture of a simulation's states or pages, with their probabilities."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import click

from datagen.cli.params import SIMULATION
from datagen.cli.sources import config_option, script_option, script_source
from datagen.pictures.graphs import FORMATS, simulation_graph, write_graph


@click.command()
@click.argument("name", type=SIMULATION, required=False)
@click.option(
    "-o",
    "--output",
    "output",
    default="graph.png",
    show_default=True,
    help=f"Picture to write: {', '.join('.' + f for f in FORMATS)} "
    "(.png and .svg need Graphviz's `dot`).",
)
@config_option
@script_option
def graph(
    name: str | None, output: str, config: Path | None, script: ModuleType | None
) -> None:
    """Draw a state machine or web page graph with its probabilities.

    NAME is a built-in simulation; --script draws your own, as `simulate`
    runs it.

    .png and .svg are drawn by Graphviz's `dot` (apt-get install graphviz);
    .dot is the graph as text, without it.

    Example:

    \b
        python generate.py graph banking -o banking.png
        python generate.py graph web --config config.yml -o web.svg
        python generate.py graph --script my_machine.py -o my_machine.dot
    """
    source = script_source(name, script)
    title = name or (Path(str(script.__file__)).stem if script else None)
    path = Path(output)
    write_graph(simulation_graph(source, config, title), path)
    click.echo(f"wrote {path}", err=True)
