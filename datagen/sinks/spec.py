"""Sink specs: `--sink URL` -> a sink, chosen by scheme; secrets kept out of names."""

from __future__ import annotations

import importlib
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from datagen.errors import ConfigError, UnknownName, missing_package
from datagen.redaction import redact, scrub_secrets_of
from datagen.registry import Registry
from datagen.sinks.base import Sink

#: scheme -> sink class (e.g. "kafka", "postgresql+psycopg", "file", "stdout").
SINK_SCHEMES: Registry[Any] = Registry("sink", "datagen.sinks")


def register_sink(sink_class: Any) -> Any:
    """Class decorator: register sink_class under each of its URL schemes."""
    for scheme in sink_class.schemes:
        SINK_SCHEMES.add(scheme, sink_class, origin=sink_class.__module__)
    return sink_class


def scheme_of(spec: str) -> str:
    """The scheme: 'kafka' of 'kafka://host/t', 'file' of 'file:x.jsonl', 'stdout'."""
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", spec)
    return match.group(1).lower() if match else spec.lower()


#: NAME= before a spec: a stream's name (letters, digits, '_' and '-'), then '='.
_NAMED = re.compile(r"([A-Za-z0-9_-]+)=(.+)", re.DOTALL)


def split_named(spec: str) -> tuple[str | None, str]:
    """'orders=kafka://h/t' -> ('orders', 'kafka://h/t'); a spec with no
    NAME= before its scheme -> (None, spec). NAME is a stream's (a
    provider's) name: letters, digits, '_' and '-' (no ':' or '/', so no URL
    is taken for one)."""
    match = _NAMED.fullmatch(spec)
    if match is None:
        return None, spec
    return match.group(1), match.group(2)


def query_options(url: str) -> dict[str, str]:
    """The ?key=value options of url (last one wins)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


#: Built-in sink modules by the base scheme they serve (before any "+driver"),
#: imported only when used, so a run loads only its own client libraries.
BUILTIN_SINK_MODULES = {
    "stdout": "stdout",
    "file": "files",
    "memory": "memory",
    "kafka": "kafka",
    "kinesis": "kinesis",
    "postgresql": "sql",
    "postgres": "sql",
    "mysql": "sql",
    "mariadb": "sql",
    "sqlite": "sql",
    "http": "http",
    "https": "http",
    "python": "python_sink",
    "nats": "nats",
    "amqp": "amqp",
    "amqps": "amqp",
    "redis": "redis_streams",
    "rediss": "redis_streams",
    "mqtt": "mqtt",
    "mqtts": "mqtt",
}


def sink_class_for(scheme: str) -> Any:
    """The sink class serving scheme ('postgresql+psycopg' falls back to
    'postgresql'); imports the built-in module on first use."""
    base = scheme.split("+", 1)[0]
    module = BUILTIN_SINK_MODULES.get(base)
    if module is not None:
        try:
            importlib.import_module(f"datagen.sinks.{module}")
        except ModuleNotFoundError as exc:  # a client library left out
            raise missing_package(exc, f"the {base} sink") from None
    if scheme in SINK_SCHEMES:
        return SINK_SCHEMES.get(scheme)
    if base in SINK_SCHEMES:
        return SINK_SCHEMES.get(base)
    raise UnknownName("sink", scheme, sorted({*SINK_SCHEMES, *BUILTIN_SINK_MODULES}))


def open_sink(spec: str) -> Sink:
    """The sink a --sink spec names; UnknownName lists the schemes, ConfigError
    says what is wrong with the spec (secrets redacted)."""
    sink_class = sink_class_for(scheme_of(spec))
    try:
        return sink_class.from_url(spec)
    except ConfigError:
        raise
    except ValueError as exc:
        # A parser's message may quote the secret (a password urlsplit read
        # as a port): scrubbed of the spec's secrets.
        reason = scrub_secrets_of(str(exc), spec)
        raise ConfigError(f"sink '{redact(spec)}': {reason}") from None
