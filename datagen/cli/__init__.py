"""The `datagen` command group and its error edge: DatagenError in, one line out."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import click

from datagen.errors import DatagenError, UnknownName


class UsageFailure(click.ClickException):
    """A one-line error that exits with 2, as for a bad argument."""

    exit_code = 2


class DatagenGroup(click.Group):
    """Turns library errors into one-line messages: UnknownName exits 2, any
    other DatagenError or OSError 1. Commands don't catch errors themselves."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UnknownName as exc:
            raise UsageFailure(str(exc)) from exc
        except DatagenError as exc:
            for delivery in getattr(exc, "deliveries", ()):
                click.echo(f"  {delivery.summary()}", err=True)
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from exc


def _version() -> str:
    """The installed version, or the source tree's for `python generate.py`."""
    try:
        return version("datagen")
    except PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text())["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"datagen {_version()}")
        ctx.exit()


@click.group(cls=DatagenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Reproducible synthetic documents, journeys and event streams for testing
    data pipelines.

    Example:

        python generate.py document -p starfleet_account -q 1000 --format jsonl --seed 7
    """
    import document_providers  # noqa: F401 - registers the built-ins
    import journey_providers  # noqa: F401


def _register_commands() -> None:
    """Add the COMMANDS of every module in this package: a command is a module."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_register_commands()

__all__ = ["cli"]
