"""The `datagen` command group: its commands, one module each, and its error edge."""

from __future__ import annotations

from typing import Any

import click

from datagen.cli.catalog import list_providers, show
from datagen.cli.declared import providers_dir_option
from datagen.cli.document import document
from datagen.cli.errors import translate_errors
from datagen.cli.graph import graph
from datagen.cli.journey import journey
from datagen.cli.plot import plot
from datagen.cli.replay import replay
from datagen.cli.serve import serve
from datagen.cli.signals import stop_signals
from datagen.cli.simulate import simulate
from datagen.cli.trust_options import ARGUMENTS
from datagen.cli.upload import upload
from datagen.cli.validate import validate
from datagen.cli.version import datagen_version
from datagen.cli.verify import verify
from datagen.sinks.batching import fast_thread_switching


class DatagenGroup(click.Group):
    """The one place errors become exit codes (see datagen.cli.errors): bad
    input exits 2, a failed run 1, Ctrl-C 130, SIGTERM 143 and SIGHUP 129
    (handled as Ctrl-C is: datagen.cli.signals). Commands don't catch errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A run's record (--manifest) names the arguments as invoked here,
        # which sys.argv is not under CliRunner or cli.main([...]).
        ctx.meta[ARGUMENTS] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        # Sinks' writer threads may lower the GIL switch interval during a
        # CLI run (measured: PostgreSQL from 0.58x to 0.72x of JSONL); a
        # library user's interpreter is never changed.
        with stop_signals(), translate_errors(), fast_thread_switching():
            return super().invoke(ctx)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"datagen {datagen_version()}")
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


#: Every command (a module each); `--help` lists them by name.
COMMANDS = [
    document,
    journey,
    replay,
    simulate,
    list_providers,
    show,
    graph,
    plot,
    upload,
    validate,
    verify,
    serve,
]
for _command in COMMANDS:
    _command.params.append(providers_dir_option())
    cli.add_command(_command)

__all__ = ["cli"]
