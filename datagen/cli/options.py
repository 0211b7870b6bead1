"""Options shared by the generating commands, with the original tool's spellings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from datagen.cli.params import AT_LEAST_ONE, SINK_SPEC
from datagen.runs.outputs import Outputs
from datagen.seeding import draw_seed
from datagen.timefmt import DEFAULT_START, isoformat, parse_time

F = TypeVar("F", bound=Callable[..., Any])


def _compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


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


common_options = _compose(
    click.option(
        "--seed",
        type=int,
        default=None,
        help="Same seed and arguments, same bytes. Default: drawn and printed.",
    ),
    click.option("--locale", default="en", show_default=True, help="Mimesis locale."),
    click.option(
        "--start",
        "start",
        default=None,
        metavar="ISO-TIME",
        help=f"Reference time for timestamps [default: {isoformat(DEFAULT_START)}].",
    ),
    click.option(
        "--workers",
        type=AT_LEAST_ONE,
        default=1,
        show_default=True,
        help="Processes; the output is the same whatever the number.",
    ),
    click.option("--quiet", is_flag=True, help="No progress bar and no summary."),
)


def resolve_seed(seed: int | None) -> int:
    """The given seed, or a fresh one to print in the summary."""
    return draw_seed() if seed is None else seed


def resolve_start(start: str | None) -> datetime:
    return DEFAULT_START if start is None else parse_time(start)


def resolve_output(output_path: str) -> Path | None:
    """None for '-' (stdout), else the path."""
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
