"""Click parameter types: option values are checked where they are parsed, and a
refusal is one line listing what is valid, so `--help`, errors and `list` agree."""

from __future__ import annotations

from functools import partial
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, NoReturn

import click

from datagen.cli.errors import BadValue
from datagen.errors import ConfigError, UnknownName
from datagen.redaction import redact
from datagen.sinks.spec import scheme_of, sink_class_for, split_named
from datagen.timefmt import parse_duration, parse_rate


def _option(param: click.Parameter | None, default: str) -> str:
    """The option's long spelling (--workers), for messages."""
    if param is None:
        return default
    longs = [opt for opt in param.opts if opt.startswith("--")]
    return longs[0] if longs else default


class _OneLine(click.ParamType):
    """A ParamType whose read() returns the value or raises ConfigError; the
    message becomes one line and exit 2 (see BadValue). Help shows `metavar`
    when set (else Click's default)."""

    metavar: str | None = None
    #: How messages name the option when the parameter has no long spelling.
    option = "value"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        return self.metavar

    def read(self, value: Any, option: str) -> Any:
        raise NotImplementedError

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        try:
            return self.read(value, _option(param, self.option))
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)

    def fail(
        self,
        message: str,
        param: click.Parameter | None = None,
        ctx: click.Context | None = None,
    ) -> NoReturn:
        raise BadValue(message, ctx=ctx, param=param)


class _OneOf(_OneLine):
    """One of a set of names; a refusal lists them: unknown <kind> 'x'
    (available: ...). A name whose module failed to load (a registry's
    `failures`), or any name when a built-in package failed, is accepted too:
    its lookup then says why it is broken."""

    kind: str

    def names(self) -> Collection[str]:
        raise NotImplementedError

    def read(self, value: Any, option: str) -> str:
        names = self.names()
        failures = getattr(names, "failures", {})
        packages = {m.rsplit(".", 1)[-1] for m in getattr(names, "builtins", ())}
        if value in names or value in failures or packages & set(failures):
            # a name whose module (or whose whole built-in package) failed to
            # load: the lookup says why, rather than "unknown"
            return str(value)
        raise UnknownName(self.kind, str(value), names)


class RegisteredName(_OneOf):
    """A name in a registry (document providers, journeys, simulations); the
    registry is looked up only when a value is checked, so help stays fast."""

    metavar = "NAME"

    def __init__(self, registry: Callable[[], Mapping[str, Any]], kind: str) -> None:
        self.registry = registry
        self.kind = kind
        self.name = kind.replace(" ", "_")

    def names(self) -> Mapping[str, Any]:
        return self.registry()

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


class Format(_OneOf):
    """One of a command's output formats, like click.Choice but in the wording
    of the other names: unknown format 'xml' (available: csv, json, jsonl)."""

    name = kind = "format"

    def __init__(self, formats: Iterable[str]) -> None:
        self.formats = tuple(formats)
        self.metavar = "[" + "|".join(self.formats) + "]"

    def names(self) -> tuple[str, ...]:
        return self.formats


class SinkSpec(_OneLine):
    """A --sink URL whose scheme is known; errors show it with secrets hidden.
    `named`: it may start with NAME= (the stream it takes, see split_named)."""

    name = "sink"
    metavar = "SPEC"

    def __init__(self, named: bool = False) -> None:
        self.named = named
        if named:
            self.metavar = "[NAME=]SPEC"

    def read(self, value: Any, option: str) -> str:
        spec = str(value)
        url = split_named(spec)[1] if self.named else spec
        try:
            sink_class_for(scheme_of(url))
        except ConfigError as exc:
            raise ConfigError(f"--sink '{redact_named(spec)}': {exc}") from exc
        return spec


def redact_named(spec: str) -> str:
    """A [NAME=]SPEC with the secrets of its SPEC hidden."""
    name, url = split_named(spec)
    return redact(url) if name is None else f"{name}={redact(url)}"


def sinks_by_stream(
    specs: Iterable[str], streams: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The --sink specs of each stream: NAME=SPEC goes to stream NAME, a bare
    SPEC to the only stream (with several, ConfigError asking for a name)."""
    found: dict[str, list[str]] = {name: [] for name in streams}
    for spec in specs:
        name, url = split_named(spec)
        if name is None and len(streams) > 1:
            raise ConfigError(
                f"--sink '{redact_named(spec)}': this run makes several streams "
                f"({', '.join(streams)}): name the one it takes "
                f"(--sink {streams[-1]}=SPEC)"
            )
        if name is not None and name not in found:
            raise ConfigError(
                f"--sink '{redact_named(spec)}': no stream '{name}' in this run "
                f"(-p {' -p '.join(streams)})"
            )
        found[name or streams[0]].append(url)
    return {name: tuple(specs) for name, specs in found.items()}


def parse_speed(text: str, option: str = "--speed") -> float:
    """A positive finite factor: 60, 0.5."""
    try:
        speed = float(text)
    except ValueError:
        raise ConfigError(
            f"{option}: '{text}' is not a number (e.g. 60, 0.5)"
        ) from None
    if not (speed > 0 and speed != float("inf")):
        raise ConfigError(f"{option} must be more than 0, not {text}")
    return speed


class _Amount(_OneLine):
    """A number read by `parse` from text like 90s or 500/s, its errors naming
    the option (`option` when there is none); a float (a default) passes."""

    def __init__(
        self, name: str, parse: Callable[[str, str], float], option: str
    ) -> None:
        self.name = name
        self.parse = parse
        self.option = option

    def read(self, value: Any, option: str) -> float:
        return value if isinstance(value, float) else self.parse(str(value), option)


class AtLeastOne(_OneLine):
    """A whole number >= 1 (--workers, --count), the message naming the option."""

    name = "integer"
    metavar = "INTEGER"

    def read(self, value: Any, option: str) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{option}: '{value}' is not a whole number") from None
        if number < 1:
            raise ConfigError(f"{option} must be at least 1, not {number}")
        return number


#: Seconds from 90s, 15m, 1h, 2d, 1h30m or a bare number.
DURATION = _Amount("duration", parse_duration, "--duration")
#: Events per second from 500/s, 60/m, 3600/h or a bare number.
RATE = _Amount("rate", parse_rate, "--rate")
#: New actors a second from 100/h, 5/m, ..., or 0 for none.
#: A rate of actors joining, or 0: none join.
ARRIVALS = _Amount("rate", partial(parse_rate, zero=True), "--arrivals")
#: How many times as fast simulated time runs as the wall clock: 60, 0.5.
SPEED = _Amount("number", parse_speed, "--speed")
AT_LEAST_ONE = AtLeastOne()
SINK_SPEC = SinkSpec()
#: document's --sink: [NAME=]SPEC, NAME the stream it takes.
NAMED_SINK_SPEC = SinkSpec(named=True)
