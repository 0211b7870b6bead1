"""--faults, --faults-manifest and --manifest (and --truth): the options that make a
run checkable, and the Checks they make (datagen.runs.record)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from datagen.cli.errors import BadValue
from datagen.cli.version import datagen_version
from datagen.errors import ConfigError, DatagenError
from datagen.faults import FaultSpec, FaultsManifest, parse_faults
from datagen.files.paths import prepare_output_folder
from datagen.redaction import scrub_known
from datagen.runs.record import Checks, RunRecord

F = TypeVar("F", bound=Callable[..., Any])
#: Where the command group keeps the arguments it was invoked with (ctx.meta).
ARGUMENTS = "datagen.arguments"


def invoked_arguments() -> list[str]:
    """The arguments the datagen group was invoked with (from the shell,
    CliRunner or cli.main([...]); sys.argv is the shell's only); [] when
    the command was invoked without the group."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.meta.get(ARGUMENTS, ())) if ctx is not None else []


class FaultsSpec(click.ParamType):
    """KIND=RATE,...,lag=DURATION (see datagen.faults.spec); a refusal is
    one line naming the item at fault, exit 2."""

    name = "faults"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "KIND=RATE,..."

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> FaultSpec:
        if isinstance(value, FaultSpec):
            return value
        try:
            return parse_faults(str(value))
        except ConfigError as exc:
            raise BadValue(str(exc), ctx=ctx, param=param) from None


@dataclass(frozen=True)
class CheckOptions:
    """What --faults, --faults-manifest and --manifest say (None: not given)."""

    faults: FaultSpec | None = None
    faults_manifest: Path | None = None
    manifest: Path | None = None

    def plain(self) -> bool:
        """True when no fault and no record is asked for."""
        return self.faults is None and self.manifest is None

    def checks(
        self, command: str, seed: int | None, truth: Path | None = None
    ) -> Checks:
        """The run's Checks; its record names the command, the arguments it
        was invoked with (secrets scrubbed) and the version."""
        for option, path in (
            ("--manifest", self.manifest),
            ("--faults-manifest", self.faults_manifest),
        ):
            if path is not None:
                ready_file(path, option)
        if truth is not None:
            prepare_output_folder(truth, "--truth folder")
        record = None
        if self.manifest is not None:
            record = RunRecord(
                self.manifest,
                command,
                [scrub_known(argument) for argument in invoked_arguments()],
                seed,
                datagen_version(),
                self.faults,
                self.faults_manifest,
            )
        return Checks(self.faults, FaultsManifest(self.faults_manifest), truth, record)

    @staticmethod
    def note_distributions(
        checks: Checks, kind: str, name: str, model: object = None
    ) -> None:
        """The record's configured distributions of stream `name`: a document
        provider's (kind "document") or a simulation model's; {} when they
        cannot be read (the run does not fail for its record)."""
        if checks.record is None:
            return
        from datagen.declarative.distributions import (
            configured_distributions,
            model_distributions,
        )

        try:
            if model is not None:
                found = model_distributions(model)
            else:
                found = configured_distributions(kind, name)
        except (DatagenError, OSError, ValueError):
            found = {}
        checks.record.distributions[name] = found


_FILE = click.Path(dir_okay=False, path_type=Path)


def ready_file(path: Path, option: str) -> None:
    """Before the run: the folder of a file the run writes at its end made
    (as -o's is) and writable, so a bad path stops the run before anything
    is written (one line, exit 2; click refuses a folder for the file)."""
    prepare_output_folder(path.parent, f"{option} folder")


def check_options(command: F) -> F:
    """--faults, --faults-manifest and --manifest, handed to the command as
    one CheckOptions named `checking`."""

    @functools.wraps(command)
    def gathered(
        *args: Any,
        faults: FaultSpec | None,
        faults_manifest: Path | None,
        manifest: Path | None,
        **kwargs: Any,
    ) -> Any:
        checking = CheckOptions(faults, faults_manifest, manifest)
        return command(*args, checking=checking, **kwargs)

    options = [
        click.option(
            "--faults",
            type=FaultsSpec(),
            default=None,
            help="Labelled faults, a rate of records each: null, wrong_type, "
            "out_of_range, malformed, drift, duplicate, late, out_of_order, "
            "dangling; lag=10m for late ones, e.g. null=0.01,late=1%,lag=1h. "
            "See docs/faults.md.",
        ),
        click.option(
            "--faults-manifest",
            type=_FILE,
            default=None,
            help="Write every faulted record's position, kind, field and "
            "original value here (JSON lines).",
        ),
        click.option(
            "--manifest",
            type=_FILE,
            default=None,
            help="Write the run's record here (JSON): seed, arguments, counts "
            "per stream and sink, faults by kind, times, keys, distributions.",
        ),
    ]
    decorated: Any = gathered
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


truth_option = click.option(
    "--truth",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Write the expected final state here: DIR/<stream>.jsonl, one line per "
    "live key, its last version (from the events before any fault).",
)
