"""Options shared by the generating commands, with the original tool's spellings.

One long module (over 300 lines) because the options and what they resolve to
(seed, start, -o and --format into Outputs, ProviderRun, --checkpoint and
--resume into a Checkpoint with the run's fingerprint) are read together:
each command composes them and receives one resolved object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from datagen.cli.declared import template_provider
from datagen.cli.errors import QUIET
from datagen.cli.version import datagen_version
from datagen.cli.params import (
    AT_LEAST_ONE,
    NAMED_SINK_SPEC,
    SINK_SPEC,
    Format,
    sinks_by_stream,
)
from datagen.errors import ConfigError
from datagen.redaction import scrub
from datagen.runs.checkpoints import (
    DEFAULT_EVERY,
    DEFAULT_SECONDS,
    Checkpoint,
    open_checkpoint,
)
from datagen.runs.loop import RunResult
from datagen.runs.outputs import (
    FILE_FORMATS,
    Outputs,
    local_format,
    outputs_per_stream,
)
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


def _template_default() -> tuple[str, ...]:
    return (template_provider(),)


def provider_option(
    kind: str, type_: click.ParamType, several: bool
) -> Callable[[F], F]:
    """-p/--provider, also spelled --<kind>-provider and the original tool's
    --<kind>_provider; repeatable when `several` (document's streams), else
    given more than once is refused (see check_one)."""
    more = (
        " Repeatable: several streams in one run, parents before children "
        "(see docs/related-streams.md)."
        if several
        else ""
    )
    return click.option(
        "-p",
        "--provider",
        f"--{kind}-provider",
        f"--{kind}_provider",
        "provider",  # template_provider() finds the option by this name
        type=type_,
        multiple=True,
        required=True,
        default=_template_default,  # document --template's, else none
        help=f"{kind.capitalize()} provider name (see `list`).{more}",
    )


def quantity_option(several: bool) -> Callable[[F], F]:
    more = (
        " Repeatable: the n-th -q counts the n-th -p whose count no "
        "records_per sets."
        if several
        else ""
    )
    return click.option(
        "-q",
        "--quantity",
        "quantity",
        type=int,
        multiple=True,
        help=f"How many to generate [default: 1].{more}",
    )


@dataclass(frozen=True)
class OutputRule:
    """What -o means for one command: where it writes without -o, the format
    of a folder without --format, and the formats of one file (its
    extension) or a stream (see datagen.runs.outputs.local_format)."""

    default: str
    folder_format: str
    file_formats: tuple[str, ...] = FILE_FORMATS

    def help(self) -> str:
        files = ", ".join(f"out.{name}" for name in self.file_formats)
        return (
            f"A file ({files}: its extension is its format), a folder (no "
            "extension, or ending in /), a device (/dev/null) or '-' for "
            f"stdout [default: {self.default}, or none when --sink/--route is "
            "given]."
        )


def output_option(rule: OutputRule) -> Callable[[F], F]:
    """-o/--output-path (and the original --output_path); None when not given,
    so --sink/--route can mean "no local output" (see choose_outputs)."""
    return click.option(
        "-o",
        "--output-path",
        "--output_path",
        "output_path",
        default=None,
        help=rule.help(),
    )


def format_option(formats: tuple[str, ...], what: str) -> Callable[[F], F]:
    """--format, one of formats; None when not given, so -o's extension can
    name the format (see choose_outputs)."""
    return click.option(
        "--format",
        "format_",
        type=Format(formats),
        default=None,
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


def _note_quiet(ctx: click.Context, _param: click.Parameter, quiet: bool) -> bool:
    """Tell the error edge too: a quiet run says nothing when interrupted."""
    if quiet:
        ctx.meta[QUIET] = True
    return quiet


def quiet_option(
    what: str = "No progress bar and no summary (errors only).",
) -> Callable[[F], F]:
    return click.option("--quiet", is_flag=True, help=what, callback=_note_quiet)


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


def _names_folder(output_path: str) -> bool:
    """True when -o ends in a / (Path drops it): a folder, whatever its name."""
    return output_path.endswith("/")


def stream_sink_options(named: bool) -> Callable[[F], F]:
    """--sink and --route; `named`: a --sink may start with NAME= (the
    stream it takes, in a run of several)."""
    name = (
        " With several streams (-p), name the one it takes: --sink orders=URL."
        if named
        else ""
    )
    return _compose(
        click.option(
            "--sink",
            "sink_specs",
            type=NAMED_SINK_SPEC if named else SINK_SPEC,
            multiple=True,
            help="Also send every event here (repeatable): stdout, file:out.jsonl, "
            "kafka://host:9092/topic, kinesis://stream, postgresql://.../db?table=t, "
            f"http://host/path, python:module:Class. See docs/sinks.md.{name}",
        ),
        click.option(
            "--route",
            "routes",
            multiple=True,
            metavar="FIELD=VALUE=SPEC",
            help="Send only events whose FIELD equals VALUE to SPEC (repeatable).",
        ),
    )


sink_options = stream_sink_options(False)


def choose_outputs(
    rule: OutputRule,
    output_path: str | None,
    format_: str | None = None,
    sink_specs: tuple[str, ...] = (),
    routes: tuple[str, ...] = (),
) -> Outputs:
    """-o as given ('-' is stdout); else nothing local when --sink/--route name
    where events go; else the command's default. The format is --format
    (format_, None when not given) checked against -o (local_format)."""
    if output_path is None and not (sink_specs or routes):
        output_path = rule.default
    if output_path is None:
        return Outputs(None, False, format_ or "jsonl", sink_specs, routes)
    path = resolve_output(output_path)
    folder = _names_folder(output_path)
    chosen = local_format(path, format_, rule.folder_format, rule.file_formats, folder)
    return Outputs(path, True, chosen, sink_specs, routes, folder)


@dataclass(frozen=True)
class ProviderRun:
    """What the options of provider_options say, seed and start resolved.
    `provider` and `quantity` are the first -p and its -q (1 without one);
    `providers` and `quantities` every -p and -q, in order (document)."""

    provider: str
    quantity: int
    seed: int
    locale: str
    now: datetime
    workers: int
    quiet: bool
    rule: OutputRule
    output_path: str | None
    sink_specs: tuple[str, ...]
    routes: tuple[str, ...]
    providers: tuple[str, ...] = ()
    quantities: tuple[int, ...] = ()
    #: False when the seed was drawn (--seed not given).
    seed_given: bool = True

    @property
    def several(self) -> bool:
        """True when -p is given more than once (several streams)."""
        return len(self.providers) > 1

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

    def outputs(self, format_: str | None = None) -> Outputs:
        """Where the run writes (see choose_outputs); a --sink NAME=SPEC
        must name the provider."""
        specs = sinks_by_stream(self.sink_specs, (self.provider,))[self.provider]
        return choose_outputs(self.rule, self.output_path, format_, specs, self.routes)

    def stream_outputs(self, format_: str | None = None) -> dict[str, Outputs]:
        """Where each stream of a run of several writes: -o a folder (a file,
        or a folder of files, per stream: see outputs_per_stream) and its
        own --sink NAME=SPEC; the command's default folder when neither -o
        nor --sink is given. --route is refused (it filters one stream)."""
        names = self.providers or (self.provider,)
        if self.routes:
            raise ConfigError(
                "--route filters one stream's events: with several streams, "
                "send each with --sink NAME=SPEC"
            )
        sinks = sinks_by_stream(self.sink_specs, names)
        output_path = self.output_path
        if output_path is None and not self.sink_specs:
            output_path = self.rule.default
        path = None if output_path is None else resolve_output(output_path)
        return outputs_per_stream(
            output_path,
            path,
            format_ or (self.rule.folder_format if output_path else "jsonl"),
            sinks,
        )


def provider_options(
    kind: str,
    type_: click.ParamType,
    rule: OutputRule,
    *more: Callable[[Callable[..., Any]], Callable[..., Any]],
    several: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a command that makes N of one provider (several
    streams, each with its -q, when `several`): -p, -q, -o, then `more`,
    the common options and --sink/--route. The command receives them as one
    ProviderRun, `run`, and the options of `more` by name."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def gathered(
            provider: tuple[str, ...],
            quantity: tuple[int, ...],
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
            providers, quantities = provider, quantity  # every -p and -q
            _check_counts(kind, several, providers, quantities)
            run = ProviderRun(
                providers[0],
                quantities[0] if quantities else 1,
                resolve_seed(seed),
                locale,
                resolve_start(start),
                workers,
                quiet,
                rule,
                output_path,
                sink_specs,
                routes,
                providers,
                quantities,
                seed is not None,
            )
            return command(run, **more_values)

        return _compose(
            provider_option(kind, type_, several),
            quantity_option(several),
            output_option(rule),
            *more,
            common_options,
            stream_sink_options(several),
        )(gathered)

    return decorate


def _check_counts(
    kind: str, several: bool, providers: tuple[str, ...], quantities: tuple[int, ...]
) -> None:
    """One -p (unless `several`), and one -q at most for one -p."""
    if len(providers) > 1 and not several:
        raise ConfigError(
            f"{kind} takes one provider: -p is given {len(providers)} times "
            f"({', '.join(providers)})"
        )
    if len(providers) == 1 and len(quantities) > 1:
        raise ConfigError(
            f"-q is given {len(quantities)} times for one provider (-p {providers[0]})"
        )


@dataclass(frozen=True)
class CheckpointOptions:
    """What --checkpoint, --resume, --checkpoint-every and
    --checkpoint-seconds say (folder None: neither folder given)."""

    folder: Path | None = None
    resume: bool = False
    every: int = DEFAULT_EVERY
    seconds: float = DEFAULT_SECONDS

    def open(self, seed: int, seed_given: bool = True) -> Checkpoint | None:
        """The run's checkpoint (None without one), its fingerprint read from
        the command's options; a resumed run whose --seed was not given runs
        with the checkpoint's (Checkpoint.fingerprint["--seed"]). When the
        checkpoint's run is finished, says so in one line and exits 0."""
        if self.folder is None:
            return None
        checkpoint = open_checkpoint(
            self.folder,
            run_fingerprint(seed),
            self.resume,
            self.every,
            self.seconds,
            drawn=() if seed_given else ("--seed",),
        )
        if checkpoint.finished:
            checkpoint.release()
            click.echo(
                f"--resume {self.folder}: the run finished already "
                f"({checkpoint.start:,} events to {checkpoint.target()}); "
                "nothing to do",
                err=True,
            )
            raise click.exceptions.Exit(0)
        return checkpoint

    def refuse(self, what: str) -> None:
        """ConfigError when a checkpoint is asked for `what`, which cannot
        have one."""
        if self.folder is not None:
            option = "--resume" if self.resume else "--checkpoint"
            raise ConfigError(f"{option} is not for {what}: drop {option}")

    @staticmethod
    def seed(checkpoint: Checkpoint | None, seed: int) -> int:
        """The seed the run goes on with: the checkpoint's, else `seed`."""
        if checkpoint is None:
            return seed
        return int(checkpoint.fingerprint["--seed"])

    def seeded(self, run: ProviderRun, checkpoint: Checkpoint | None) -> ProviderRun:
        """run with the seed it goes on with (see seed())."""
        return replace(run, seed=self.seed(checkpoint, run.seed))

    @staticmethod
    def stopped(checkpoint: Checkpoint | None, result: RunResult) -> str | None:
        """What the summary of a run that stopped early adds: where its
        checkpoint stands and how to go on."""
        if checkpoint is None or not (result.interrupted or result.reader_gone):
            return None
        return (
            f"checkpoint at {checkpoint.saved_events:,} events in "
            f"{checkpoint.folder}: run the same command with --resume "
            f"{checkpoint.folder} to go on"
        )


#: Options that do not change what a run writes: not in its fingerprint.
_NOT_OUTPUT = frozenset(
    (
        "workers",
        "quiet",
        "checkpoint",
        "resume",
        "checkpoint_every",
        "checkpoint_seconds",
        "faults_manifest",
        "manifest",
        "truth",
    )
)


def run_fingerprint(seed: int) -> dict[str, Any]:
    """What decides the current command's output, by option name (--seed
    as resolved, paths made absolute, secrets scrubbed), with the command
    and datagen's version: a checkpoint's run is the same run only when its
    fingerprint is this."""
    ctx = click.get_current_context()
    labels = {param.name: _label(param) for param in ctx.command.params}
    found: dict[str, Any] = {"command": ctx.command.name, "datagen": datagen_version()}
    for name, value in ctx.params.items():
        if name in _NOT_OUTPUT:
            continue
        if name == "seed":
            value = seed
        elif name == "output_path":
            value = _output_path(value)
        found[labels.get(name) or str(name)] = _plain(value)
    return found


def _label(param: click.Parameter) -> str:
    """How an option is named in messages: its first long name (--seed),
    an argument's metavar (NAME)."""
    longs = [opt for opt in param.opts if opt.startswith("--")]
    return longs[0] if longs else param.human_readable_name


def _plain(value: Any) -> Any:
    """value as JSON keeps it: paths absolute, a script by its file,
    secrets scrubbed."""
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, ModuleType):
        value = Path(getattr(value, "__file__", None) or value.__name__)
    if isinstance(value, Path):
        return str(value.absolute())
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


def _output_path(value: str | None) -> str | None:
    """-o as a run resumed from another folder means it: a local path made
    absolute (a trailing / kept: it names a folder); '-' and URLs as given."""
    if value is None or value == "-" or "://" in value:
        return value
    absolute = str(Path(value).absolute())
    return f"{absolute}/" if value.endswith("/") else absolute


def _refuse_timing_alone() -> None:
    """ConfigError for --checkpoint-every or --checkpoint-seconds given
    without a folder: they have defaults, so only click knows they were given."""
    context = click.get_current_context()
    for name, option in (
        ("checkpoint_every", "--checkpoint-every"),
        ("checkpoint_seconds", "--checkpoint-seconds"),
    ):
        source = context.get_parameter_source(name)
        if source not in (None, ParameterSource.DEFAULT):
            raise ConfigError(
                f"{option} says when to save a checkpoint: give --checkpoint "
                f"DIR or --resume DIR too, or drop {option}"
            )


def checkpoint_options(command: F) -> F:
    """--checkpoint DIR, --resume DIR, --checkpoint-every N and
    --checkpoint-seconds T, handed to the command as one CheckpointOptions
    named `checkpointing`."""

    @functools.wraps(command)
    def gathered(
        *args: Any,
        checkpoint: Path | None,
        resume: Path | None,
        checkpoint_every: int,
        checkpoint_seconds: float,
        **kwargs: Any,
    ) -> Any:
        if checkpoint is not None and resume is not None and checkpoint != resume:
            raise ConfigError(
                f"--checkpoint {checkpoint} and --resume {resume} name two "
                "folders: a resumed run goes on saving into its own"
            )
        if checkpoint is None and resume is None:
            _refuse_timing_alone()
        options = CheckpointOptions(
            resume or checkpoint,
            resume is not None,
            checkpoint_every,
            checkpoint_seconds,
        )
        return command(*args, checkpointing=options, **kwargs)

    folder = click.Path(file_okay=False, path_type=Path)
    decorated: Any = _compose(
        click.option(
            "--checkpoint",
            type=folder,
            default=None,
            metavar="DIR",
            help="Save the run in DIR as it goes, so that --resume DIR can go "
            "on after a crash, a kill or Ctrl-C (see docs/checkpoints.md).",
        ),
        click.option(
            "--resume",
            type=folder,
            default=None,
            metavar="DIR",
            help="Go on with the run saved in DIR (the same command otherwise), "
            "with no event lost or written twice to files; keeps saving there.",
        ),
        click.option(
            "--checkpoint-every",
            type=AT_LEAST_ONE,
            default=DEFAULT_EVERY,
            show_default=True,
            metavar="N",
            help="Save after at most N events.",
        ),
        click.option(
            "--checkpoint-seconds",
            type=click.FloatRange(min=0.001),
            default=DEFAULT_SECONDS,
            show_default=True,
            metavar="T",
            help="Save after at most T seconds.",
        ),
    )(gathered)
    return decorated
