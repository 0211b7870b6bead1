"""Sink URL options: `?key=value` onto a frozen dataclass per sink, unknown keys out.

Each sink declares its query options as a frozen dataclass (`KafkaSink.Options`,
`SqlSink.Options`, ...): the field names are the keys, the annotations say how
a value is read (int, float, bool, str, or Optional of one), the defaults are
the defaults, and an `ALIASES` class variable maps other accepted names onto
fields. A key that is neither is a ConfigError naming the sink, the key and the
valid keys, so a misspelt option (`row_grop=5`) fails instead of being ignored.
Fields whose value comes from elsewhere in the URL (a Kafka topic, from the
path) carry `metadata=NOT_AN_OPTION`.

The HTTP and SQL sinks pass keys that are not theirs on (to the target URL, to
the database driver); the SQL sink asks the driver which it takes, the HTTP
sink refuses only those that look like a misspelling of its own.

The one exception is `python:module:Class`: its query options are keyword
arguments for the user's own class, which alone knows its parameters, so every
key is passed on and the class's own TypeError reports a wrong one.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from datagen.errors import ConfigError
from datagen.redaction import redact
from datagen.sinks.spec import query_options

T = TypeVar("T")

#: Field metadata of a field that is not a query option (filled by the caller).
NOT_AN_OPTION: Mapping[str, Any] = types.MappingProxyType({"option": False})


class RetryDeadlineAlias:
    """Mixin of the streaming sinks' options, whose retry deadline is `timeout`:
    `retry_seconds`, the SQL and HTTP sinks' name for it, is accepted too."""

    ALIASES: typing.ClassVar[dict[str, str]] = {"retry_seconds": "timeout"}


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def option_names(options_class: type) -> list[str]:
    """The query keys options_class takes, aliases included, sorted (for messages,
    `list` and the docs)."""
    names = {field.name for field in _option_fields(options_class)}
    return sorted(names | set(getattr(options_class, "ALIASES", {})))


def _option_fields(options_class: type) -> list[dataclasses.Field[Any]]:
    return [
        field
        for field in dataclasses.fields(options_class)
        if field.init and field.metadata.get("option", True)
    ]


def near_miss(key: str, names: typing.Iterable[str]) -> bool:
    """True when key looks like a misspelling of one of names (`bacth`, `row-group`)."""
    normal = key.lower().replace("-", "_")
    return bool(difflib.get_close_matches(normal, list(names), n=1, cutoff=0.8))


def parse_options(
    url_or_query: str | Mapping[str, str],
    options_class: type[T],
    *,
    sink: str | None = None,
    given: Mapping[str, Any] | None = None,
    others: Callable[[str], bool] | None = None,
    others_are: str = "",
) -> T:
    """options_class built from a sink spec's ?key=value options.

    `given` fills the fields that are NOT_AN_OPTION (a Kafka topic, taken
    from the path). Keys for which `others(key)` is
    true belong to someone else (librdkafka, the database driver) and are left
    for the caller; `others_are` names them in the message. An empty value
    (`key=`) means the default. Raises one-line ConfigErrors naming the sink
    (secrets redacted): an unknown key, a value of the wrong type, a missing
    required option.
    """
    spec = sink if sink is not None else str(url_or_query)
    where = f"sink '{redact(spec)}'"
    query = (
        query_options(url_or_query)
        if isinstance(url_or_query, str)
        else dict(url_or_query)
    )
    given = dict(given or {})
    aliases: Mapping[str, str] = getattr(options_class, "ALIASES", {})
    fields = {field.name: field for field in _option_fields(options_class)}
    unknown = sorted(
        key
        for key in query
        if key not in fields
        and key not in aliases
        and not (others is not None and others(key))
    )
    if unknown:
        valid = ", ".join(sorted(set(fields) | set(aliases))) or "none"
        if others_are:
            valid += f", or {others_are}"
        raise ConfigError(f"{where}: unknown option '{unknown[0]}' (valid: {valid})")
    written: dict[str, str] = {}  # field -> value
    keys: dict[str, str] = {}  # field -> the key as written, for messages
    for key, value in query.items():
        name = aliases.get(key, key)
        if name not in fields or value == "":
            continue
        if name in written and key != name:
            continue  # the field's own name wins over an alias
        written[name], keys[name] = value, key
    hints = typing.get_type_hints(options_class)
    values = {
        name: _convert(where, keys[name], value, hints[name])
        for name, value in written.items()
    }
    for name, field in fields.items():
        required = (
            field.default is dataclasses.MISSING
            and field.default_factory is dataclasses.MISSING
        )
        if required and name not in values:
            raise ConfigError(f"{where}: needs ?{name}=...")
    return options_class(**given, **values)


def _convert(where: str, key: str, value: str, hint: Any) -> Any:
    """value as the annotation says: int, float, bool or str (Optional of one)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is bool:
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ConfigError(f"{where}: {key} must be 1 or 0 (true/false), not '{value}'")
    if hint in (int, float):
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(
                f"{where}: {key} must be a number ('{value}' is not a number)"
            ) from None
        if hint is int:
            if not number.is_integer():
                raise ConfigError(
                    f"{where}: {key} must be a whole number, not '{value}'"
                )
            return int(number)
        return number
    return value
