"""Click parameter types: option values are checked where they are parsed, and a
refusal is one line listing what is valid, so `--help`, errors and `list` agree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

import click

from datagen.cli.errors import BadValue
from datagen.errors import ConfigError, UnknownName
from datagen.redaction import redact
from datagen.sinks.spec import scheme_of, sink_class_for
from datagen.timefmt import parse_duration, parse_rate


def _option(param: click.Parameter | None, default: str) -> str:
    """The option's long spelling (--workers), for messages."""
    if param is None:
        return default
    longs = [opt for opt in param.opts if opt.startswith("--")]
    return longs[0] if longs else default


class _OneLine(click.ParamType):
    """A ParamType whose fail() prints one line and exits 2 (see BadValue)."""

    def fail(
        self,
        message: str,
        param: click.Parameter | None = None,
        ctx: click.Context | None = None,
    ) -> NoReturn:
        raise BadValue(message, ctx=ctx, param=param)


class RegisteredName(_OneLine):
    """A name in a registry (document providers, journeys, simulations); the
    registry is looked up only when a value is checked, so help stays fast."""

    def __init__(self, registry: Callable[[], Mapping[str, Any]], kind: str) -> None:
        self.registry = registry
        self.kind = kind
        self.name = kind.replace(" ", "_")

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "NAME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """value itself when registered (or failed to load: the lookup then says
        why); else a failure listing the names."""
        registry = self.registry()
        failures = getattr(registry, "failures", {})
        if value in registry or value in failures:
            return str(value)
        self.fail(str(UnknownName(self.kind, str(value), registry)), param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        names = [name for name in self.registry() if name.startswith(incomplete)]
        return [CompletionItem(name) for name in names]


def _documents() -> Mapping[str, Any]:
    from datagen.documents import DOCUMENT_PROVIDERS

    return DOCUMENT_PROVIDERS


def _journeys() -> Mapping[str, Any]:
    from datagen.journeys import JOURNEY_PROVIDERS

    return JOURNEY_PROVIDERS


def _simulations() -> Mapping[str, Any]:
    from datagen.engine.model import SIMULATIONS

    return SIMULATIONS


DOCUMENT_PROVIDER = RegisteredName(_documents, "document provider")
JOURNEY_PROVIDER = RegisteredName(_journeys, "journey provider")
SIMULATION = RegisteredName(_simulations, "simulation")


class Format(_OneLine):
    """One of a command's output formats, like click.Choice but in the wording
    of the other names: unknown format 'xml' (available: csv, json, jsonl)."""

    name = "format"

    def __init__(self, formats: Iterable[str]) -> None:
        self.formats = tuple(formats)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "[" + "|".join(self.formats) + "]"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        if value in self.formats:
            return str(value)
        self.fail(str(UnknownName("format", str(value), self.formats)), param, ctx)


class SinkSpec(_OneLine):
    """A --sink URL whose scheme is known; errors show it with secrets hidden."""

    name = "sink"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "SPEC"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        spec = str(value)
        try:
            sink_class_for(scheme_of(spec))
        except ConfigError as exc:
            self.fail(f"--sink '{redact(spec)}': {exc}", param, ctx)
        return spec


class Duration(_OneLine):
    """Seconds from 90s, 15m, 1h, 2d, 1h30m or a bare number."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_duration(str(value), _option(param, "--duration"))
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


class Rate(_OneLine):
    """Events per second from 500/s, 60/m, 3600/h or a bare number."""

    name = "rate"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_rate(str(value), _option(param, "--rate"))
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


class AtLeastOne(_OneLine):
    """A whole number >= 1 (--workers, --count), the message naming the option."""

    name = "integer"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "INTEGER"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        option = _option(param, "value")
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{option}: '{value}' is not a whole number", param, ctx)
        if number < 1:
            self.fail(f"{option} must be at least 1, not {number}", param, ctx)
        return number


DURATION = Duration()
RATE = Rate()
AT_LEAST_ONE = AtLeastOne()
SINK_SPEC = SinkSpec()
