"""The CLI's error edge: library errors in, one line and an exit code out.

Exit codes: 0 ok; 1 the run failed (not all delivered, a provider or sink
failed, an OS error); 2 bad input (any ConfigError, UnknownName included, and
click's own usage errors); 128 + the signal when interrupted (130 Ctrl-C,
143 SIGTERM, 129 SIGHUP).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from datagen.cli.signals import exit_code
from datagen.errors import ConfigError, DatagenError
from datagen.redaction import (
    forget_secrets,
    known_secrets,
    remember_secrets,
    scrub_known,
    secrets_in,
    secrets_of_environment,
)
from datagen.runs.checkpoints import unmake_unbegun
from datagen.sinks.stdout import silence_stdout

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
#: The key under which a command's --quiet is noted in click's shared meta.
QUIET = "datagen.quiet"


class UsageFailure(click.ClickException):
    """Bad input: one line `Error: ...` and exit 2, without click's usage lines."""

    exit_code = EXIT_BAD_INPUT


class BadValue(click.BadParameter):
    """An option value a ParamType refused: one line, exit 2, like UsageFailure
    (the message already names the option or the valid values)."""

    def format_message(self) -> str:
        return one_line(self.message)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def one_line(message: str) -> str:
    """message with its line breaks escaped (a value holding a newline is shown
    as \\n), so an error is always exactly one line on stderr."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn what a command raises into click's exceptions with the exit code
    of the rule above, every message scrubbed of the run's secrets. Used
    once, by the command group."""
    with scrubbed_messages(), _translate():
        yield


@contextmanager
def _translate() -> Iterator[None]:
    """The exit code rule of translate_errors."""
    try:
        yield
    except ConfigError as exc:
        unmake_unbegun()  # a checkpoint folder opened for a refused run
        raise UsageFailure(one_line(str(exc))) from exc
    except DatagenError as exc:
        for delivery in getattr(exc, "deliveries", ()):
            click.echo(f"  {delivery.summary()}", err=True)
        raise click.ClickException(one_line(str(exc))) from exc
    except click.UsageError as exc:
        if isinstance(exc, (BadValue, click.exceptions.NoArgsIsHelpError)):
            raise
        # A value click's own types refused: one line, without the usage.
        raise UsageFailure(one_line(exc.format_message())) from exc
    except BrokenPipeError:  # `list | head`: the reader has what it wanted
        silence_stdout()
        raise SystemExit(0) from None
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(one_line(f"{exc.strerror or exc}{where}")) from exc
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM/SIGHUP (cli.signals)
        if not _quiet():
            click.echo("interrupted", err=True)
        raise SystemExit(exit_code(getattr(stop, "signum", signal.SIGINT))) from None


def _quiet() -> bool:
    """True when the command was given --quiet (see options.quiet_option)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(QUIET))


#: Options whose whole value is a secret (besides what secrets_in finds).
SECRET_OPTIONS = ("--sas-token", "--connection-string")


class ScrubbedStream:
    """A text stream (stderr) whose writes are scrubbed of the run's known
    secrets: warnings, log lines and summaries leave the process clean too."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            # Not a binary stream (click tells text from binary this way).
            raise TypeError(f"write() argument must be str, not {type(text)}")
        return int(self.stream.write(scrub_known(text)))

    def __getattr__(self, name: str) -> Any:
        # No `buffer`: bytes written there would not be scrubbed.
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self.stream, name)


def secrets_of_arguments(args: list[str]) -> list[str]:
    """The secrets on a command line: in every URL (--sink, --route,
    --container-url...), and the whole values of SECRET_OPTIONS."""
    found: list[str] = []
    for index, arg in enumerate(args):
        found.extend(secrets_in(arg))
        name, equals, value = arg.partition("=")
        if equals and name in SECRET_OPTIONS:
            found.append(value)
        elif arg in SECRET_OPTIONS and index + 1 < len(args):
            found.append(args[index + 1])
    return found


@contextmanager
def scrubbed_messages() -> Iterator[None]:
    """For one command: remember the secrets of its arguments and of the
    environment the sinks read, scrub them from stderr and from the message
    of the click exception it ends with; forget them afterwards (the
    message is scrubbed before click prints it)."""
    ctx = click.get_current_context(silent=True)
    args = [] if ctx is None else [*getattr(ctx, "_protected_args", []), *ctx.args]
    before = known_secrets()
    remember_secrets(*secrets_of_arguments(args), *secrets_of_environment(os.environ))
    stderr = sys.stderr
    sys.stderr = ScrubbedStream(stderr)
    try:
        yield
    except click.ClickException as exc:
        # setattr: click types `message` as Final, yet it is what show() prints.
        setattr(exc, "message", scrub_known(exc.message))
        raise
    finally:
        sys.stderr = stderr
        forget_secrets()
        remember_secrets(*before)
