"""The exceptions datagen raises: one root, each str() a line a user can act on."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class DatagenError(Exception):
    """Base of every error datagen raises on purpose; str(error) is one line."""


class ConfigError(DatagenError):
    """A bad option, file, field or value; the message names it."""


class UnknownName(ConfigError):
    """A name that is not registered; carries what is available."""

    def __init__(self, kind: str, name: str, available: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.available = sorted(available)
        listing = ", ".join(self.available) or "none"
        super().__init__(f"unknown {kind} '{name}' (available: {listing})")


class RegistryError(DatagenError):
    """Two registrations claim one name."""


class ProviderError(DatagenError):
    """A provider's schema or step failed."""


class OutputError(DatagenError):
    """A file could not be written (a full disk, a folder gone): a failed run,
    not bad input; the message names the file."""


class SinkError(DatagenError):
    """A sink could not deliver; retriable errors may be tried again."""

    def __init__(self, message: str, retriable: bool = False) -> None:
        super().__init__(message)
        self.retriable = retriable
        #: Every sink's counts when the error ended a run (set on the way out).
        self.deliveries: list[Any] = []


class MissingPackage(ConfigError):
    """An optional Python package that a sink or command imports is not
    installed (the runtime requirements leave them out); the message says
    what to pip install."""


#: Top-level module -> (pip requirement, datagen extra) of the optional pieces.
OPTIONAL_PACKAGES: dict[str, tuple[str, str]] = {
    "confluent_kafka": ("confluent-kafka[schemaregistry]", "kafka"),
    "fastavro": ("fastavro", "kafka"),
    "boto3": ("boto3", "kinesis"),
    "botocore": ("boto3", "kinesis"),
    "sqlalchemy": ("SQLAlchemy", "sql"),
    "psycopg": ("psycopg[binary]", "sql"),
    "pymysql": ("PyMySQL", "sql"),
    "pyarrow": ("pyarrow", "parquet"),
    "requests": ("requests", "http"),
    "azure": ("azure-storage-blob", "azure"),
    "matplotlib": ("matplotlib", "plot"),
    "fastapi": ("fastapi", "serve"),
    "starlette": ("fastapi", "serve"),
    "uvicorn": ("uvicorn", "serve"),
    "prometheus_client": ("prometheus-client", "serve"),
    "sse_starlette": ("sse-starlette", "serve"),
    "fastapi_offline": ("fastapi-offline", "serve"),
    "nats": ("nats-py", "brokers"),
    "pika": ("pika", "brokers"),
    "redis": ("redis", "brokers"),
    "paho": ("paho-mqtt", "brokers"),
    "dask": ("distributed", "cluster"),
    "distributed": ("distributed", "cluster"),
}


def missing_package(exc: ModuleNotFoundError, needed_by: str) -> Exception:
    """The one-line error for a missing optional package: MissingPackage
    naming what to pip install; exc itself when a datagen module is missing
    (a broken install, not an optional piece)."""
    top = (exc.name or "").partition(".")[0]
    if not top or top == "datagen":
        return exc
    requirement, extra = OPTIONAL_PACKAGES.get(top, (top, ""))
    also = f" (or datagen's '{extra}' extra)" if extra else ""
    return MissingPackage(
        f"{needed_by} needs the Python package {requirement}, which is not "
        f"installed: pip install '{requirement}'{also}"
    )


def first_line(value: object) -> str:
    """The first non-blank line of value's text, stripped: errors are one line.

    An exception without text gives its type's name (so a message never ends
    in a bare colon); other values without text give "".
    """
    for line in str(value).splitlines():
        if line.strip():
            return line.strip()
    return type(value).__name__ if isinstance(value, BaseException) else ""


def model_failure(name: str, exc: BaseException) -> str:
    """One line for a simulation whose model code raised exc: the model, the
    innermost place outside datagen where it failed (a user's script), and
    the exception, e.g. "simulation 'x' (doge.py line 4) failed: ZeroDivisionError:
    division by zero"."""
    package = str(Path(__file__).resolve().parent)
    where = ""
    for frame, line in traceback.walk_tb(exc.__traceback__):
        path = frame.f_code.co_filename
        if not path.startswith(package) and not path.startswith("<"):
            where = f" ({Path(path).name} line {line})"
    text = first_line(str(exc))
    return f"simulation '{name}'{where} failed: {type(exc).__name__}: {text}"
