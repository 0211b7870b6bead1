"""The CLI's error edge: library errors in, one line and an exit code out.

Exit codes: 0 ok; 1 the run failed (not all delivered, a provider or sink
failed, an OS error); 2 bad input (any ConfigError, UnknownName included, and
click's own usage errors); 130 interrupted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from datagen.errors import ConfigError, DatagenError

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


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
    of the rule above. Used once, by the command group."""
    try:
        yield
    except ConfigError as exc:
        raise UsageFailure(one_line(str(exc))) from exc
    except DatagenError as exc:
        for delivery in getattr(exc, "deliveries", ()):
            click.echo(f"  {delivery.summary()}", err=True)
        raise click.ClickException(one_line(str(exc))) from exc
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(one_line(f"{exc.strerror or exc}{where}")) from exc
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
