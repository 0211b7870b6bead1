"""Options shared by the generating commands, with the original tool's spellings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from datagen.cli.params import AT_LEAST_ONE, SINK_SPEC, Format
from datagen.errors import ConfigError
from datagen.runs.outputs import Outputs
from datagen.seeding import draw_seed
from datagen.timefmt import DEFAULT_START, isoformat, parse_time

F = TypeVar("F", bound=Callable[..., Any])
J = TypeVar("J")


def _compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def provider_option(kind: str, type_: click.ParamType) -> Callable[[F], F]:
    """-p/--provider, also spelled --<kind>-provider and the original tool's
    --<kind>_provider."""
    return click.option(
        "-p",
        "--provider",
        f"--{kind}-provider",
        f"--{kind}_provider",
        "provider",
        type=type_,
        required=True,
        help=f"{kind.capitalize()} provider name (see `list`).",
    )


def quantity_option(default: int = 1) -> Callable[[F], F]:
    return click.option(
        "-q",
        "--quantity",
        type=int,
        default=default,
        show_default=True,
        help="How many to generate.",
    )


def output_option(
    default: str, what: str = "Output folder (or file); '-' writes JSON lines to stdout"
) -> Callable[[F], F]:
    """-o/--output-path (and the original --output_path); None when not given,
    so --sink/--route can mean "no local output" (see choose_outputs)."""
    return click.option(
        "-o",
        "--output-path",
        "--output_path",
        "output_path",
        default=None,
        help=f"{what} [default: {default}, or none when --sink/--route is given].",
    )


def format_option(formats: tuple[str, ...], what: str) -> Callable[[F], F]:
    """--format, one of formats; the first is the default."""
    return click.option(
        "--format",
        "format_",
        type=Format(formats),
        default=formats[0],
        show_default=True,
        help=what,
    )


def seed_option(what: str) -> Callable[[F], F]:
    """--seed; None when not given (see resolve_seed)."""
    return click.option("--seed", type=int, default=None, help=what)


def locale_option(what: str) -> Callable[[F], F]:
    return click.option("--locale", default="en", show_default=True, help=what)


def workers_option(default: int, what: str) -> Callable[[F], F]:
    return click.option(
        "--workers", type=AT_LEAST_ONE, default=default, show_default=True, help=what
    )


def quiet_option(what: str = "No progress bar and no summary.") -> Callable[[F], F]:
    return click.option("--quiet", is_flag=True, help=what)


common_options = _compose(
    seed_option("Same seed and arguments, same bytes. Default: drawn and printed."),
    locale_option("Mimesis locale."),
    click.option(
        "--start",
        "start",
        default=None,
        metavar="ISO-TIME",
        help=f"Reference time for timestamps [default: {isoformat(DEFAULT_START)}].",
    ),
    workers_option(1, "Processes; the output is the same whatever the number."),
    quiet_option(),
)


def resolve_seed(seed: int | None) -> int:
    """The given seed, or a fresh one to print in the summary."""
    return draw_seed() if seed is None else seed


def resolve_start(start: str | None) -> datetime:
    return DEFAULT_START if start is None else parse_time(start)


def resolve_output(output_path: str) -> Path | None:
    """None for '-' (stdout), else the path; an empty one is a ConfigError
    (Path('') is the current folder, which nobody means by -o '')."""
    if not output_path.strip():
        raise ConfigError(
            f"-o/--output-path '{output_path}' is empty: give a file or folder, "
            "or '-' for stdout"
        )
    return None if output_path == "-" else Path(output_path)


sink_options = _compose(
    click.option(
        "--sink",
        "sink_specs",
        type=SINK_SPEC,
        multiple=True,
        help="Also send every event here (repeatable): stdout, file:out.jsonl, "
        "kafka://host:9092/topic, kinesis://stream, postgresql://.../db?table=t, "
        "http://host/path, python:module:Class. See docs/sinks.md.",
    ),
    click.option(
        "--route",
        "routes",
        multiple=True,
        metavar="FIELD=VALUE=SPEC",
        help="Send only events whose FIELD equals VALUE to SPEC (repeatable).",
    ),
)


def choose_outputs(
    output_path: str | None,
    default: str,
    format_: str,
    sink_specs: tuple[str, ...] = (),
    routes: tuple[str, ...] = (),
) -> Outputs:
    """-o as given ('-' is stdout); else nothing local when --sink/--route name
    where events go; else the command's default."""
    if output_path is None and not (sink_specs or routes):
        output_path = default
    path = resolve_output(output_path) if output_path is not None else None
    return Outputs(path, output_path is not None, format_, sink_specs, routes)


@dataclass(frozen=True)
class ProviderRun:
    """What the options of provider_options say, seed and start resolved."""

    provider: str
    quantity: int
    seed: int
    locale: str
    now: datetime
    workers: int
    quiet: bool
    default_output: str
    output_path: str | None
    sink_specs: tuple[str, ...]
    routes: tuple[str, ...]

    def job(self, kind: Callable[..., J], output: Path | None, **more: Any) -> J:
        """The run's job (DocumentJob, JourneyJob): provider, quantity, seed
        and output, locale, start and `more` by name."""
        return kind(
            self.provider,
            self.quantity,
            self.seed,
            output,
            locale=self.locale,
            now=self.now,
            **more,
        )

    def outputs(self, format_: str) -> Outputs:
        """Where the run writes (see choose_outputs)."""
        return choose_outputs(
            self.output_path,
            self.default_output,
            format_,
            self.sink_specs,
            self.routes,
        )


def provider_options(
    kind: str,
    type_: click.ParamType,
    default_output: str,
    *more: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a command that makes N of one provider: -p, -q, -o, then
    `more`, the common options and --sink/--route. The command receives them
    as one ProviderRun, `run`, and the options of `more` by name."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def gathered(
            provider: str,
            quantity: int,
            output_path: str | None,
            seed: int | None,
            locale: str,
            start: str | None,
            workers: int,
            quiet: bool,
            sink_specs: tuple[str, ...],
            routes: tuple[str, ...],
            **more_values: Any,
        ) -> Any:
            run = ProviderRun(
                provider,
                quantity,
                resolve_seed(seed),
                locale,
                resolve_start(start),
                workers,
                quiet,
                default_output,
                output_path,
                sink_specs,
                routes,
            )
            return command(run, **more_values)

        return _compose(
            provider_option(kind, type_),
            quantity_option(),
            output_option(default_output),
            *more,
            common_options,
            sink_options,
        )(gathered)

    return decorate
