"""`serve`: the generator service (an HTTP API compatible with the Eventer tool)."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.errors import missing_package


def _sink_pair(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, equals, url = value.partition("=")
        if not equals or not name or not url:
            raise click.BadParameter(
                f"'{value}' is not NAME=URL (e.g. files=file:out/)"
            )
        pairs[name] = url
    return pairs


@click.command()
@click.option("--host", default=None, help="Address to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [9099].")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML file with these settings (options given here win).",
)
@click.option("--kafka", default=None, help="Kafka bootstrap servers, HOST:PORT[,...].")
@click.option(
    "--database", default=None, help="An SQLAlchemy URL for `postgres` destinations."
)
@click.option(
    "--sink",
    "sinks",
    multiple=True,
    callback=_sink_pair,
    metavar="NAME=URL",
    help="A --sink URL requests may name as destination type `sink` (repeatable).",
)
@click.option("--instance-id", default=None, help="What get_instance_id() returns.")
@click.option(
    "--token",
    default=None,
    help="Every request needs `Authorization: Bearer TOKEN` (or DATAGEN_TOKEN); "
    "needed to listen on any address but loopback.",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the running generators in this file and resume them on restart.",
)
@click.option("--max-generators", type=int, default=None, help="[100]")
@click.option("--max-rate", type=float, default=None, help="Events/s in all [100000].")
@click.option("--max-body", type=int, default=None, help="Request bytes [1048576].")
def serve(config_file: Path | None, **given: object) -> None:
    """Run the generator service: Eventer's HTTP API (/generator/add, /status,
    /remove) on datagen's providers and sinks, with /metrics, live tails, a
    preview and a web studio at /. Stops on SIGTERM or Ctrl-C, flushing every
    sink and printing what each generator delivered.

    Example:

    \b
        python generate.py serve --kafka 127.0.0.1:9092 \\
            --database postgresql://postgres@127.0.0.1:5432/test
    """
    try:
        from datagen.service.config import make_config
        from datagen.service.server import serve as run
    except ModuleNotFoundError as exc:
        raise missing_package(exc, "serve") from None
    run(make_config(config_file, given))
