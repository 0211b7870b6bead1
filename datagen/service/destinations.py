"""Where a generator's events go: a destination of a request (a topic, a
table, a named sink) opened as a sink on the servers the service was started
with. Requests never name hosts or logins; this is the one place they are
joined to the server's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from datagen.errors import DatagenError, first_line
from datagen.redaction import redact, scrub_known
from datagen.service.requests import DestinationSpec, RequestError
from datagen.sinks.base import BaseSink
from datagen.sinks.spec import open_sink


@dataclass(frozen=True)
class Servers:
    """The destinations a service was started with."""

    kafka: str | None = None  # bootstrap servers, HOST:PORT[,HOST:PORT]
    database: str | None = None  # an SQLAlchemy URL
    sinks: Mapping[str, str] = field(default_factory=dict)  # name -> --sink URL

    def types(self) -> list[dict[str, Any]]:
        """The destination types a request may use here (GET /config)."""
        found: list[dict[str, Any]] = []
        if self.kafka:
            found.append({"type": "kafka", "needs": "topic"})
        if self.database:
            found.append({"type": "postgres", "needs": "table"})
        if self.sinks:
            found.append({"type": "sink", "needs": "name", "names": sorted(self.sinks)})
        found.append({"type": "none", "needs": None})
        return found

    def describe(self) -> str:
        parts = []
        if self.kafka:
            parts.append(f"Kafka {self.kafka}")
        if self.database:
            parts.append(f"database {redact(self.database)}")
        parts.extend(f"sink {name} {redact(url)}" for name, url in self.sinks.items())
        return ", ".join(parts) or "no servers (destination 'none' only)"


class DiscardSink(BaseSink):
    """Destination `none`: events are counted (and shown in live tails) only."""

    name = "none"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        self.delivery.sent += len(events)
        self.delivery.acknowledged += len(events)


def eventer_key(first: Mapping[str, Any]) -> tuple[str, ...]:
    """Eventer's upsert key: every top-level field of the first event whose
    name ends in 'id' and whose value is a plain value, not null, sorted."""
    return tuple(
        sorted(
            name
            for name, value in first.items()
            if name.endswith("id")
            and value is not None
            and not isinstance(value, (dict, list))
        )
    )


def sink_url(
    servers: Servers, destination: DestinationSpec, first: Mapping[str, Any]
) -> str | None:
    """The --sink URL destination stands for on these servers (None for
    'none'); RequestError(400) when the service has no such server."""
    kind = destination.type
    if kind == "none":
        return None
    if kind == "kafka":
        if not servers.kafka:
            raise _not_configured("Kafka", "--kafka HOST:PORT")
        key = ",".join(destination.key or ("id",))
        return f"kafka://{servers.kafka}/{destination.name}?key={quote(key)}"
    if kind == "postgres":
        if not servers.database:
            raise _not_configured("database", "--database URL")
        columns = destination.key or eventer_key(first)
        options = f"table={destination.name}&nested=json"
        if columns:
            options += f"&key={quote(','.join(columns))}"
        return _with_query(servers.database, options)
    url = servers.sinks.get(destination.name)
    if url is None:
        names = ", ".join(sorted(servers.sinks)) or "none configured"
        raise RequestError(
            400, f"no sink is named '{destination.name}' (the service has: {names})"
        )
    return url


def open_destination(
    servers: Servers, destination: DestinationSpec, first: Mapping[str, Any]
) -> BaseSink:
    """The sink for destination; RequestError(503) naming it (secrets masked)
    when its server cannot be reached or refuses."""
    url = sink_url(servers, destination, first)
    if url is None:
        return DiscardSink()
    try:
        sink = open_sink(url)
    except DatagenError as exc:
        message = scrub_known(first_line(exc))
        raise RequestError(
            503, f"{destination.describe()}: cannot be opened: {message}"
        ) from None
    if not isinstance(sink, BaseSink):  # pragma: no cover - built-in sinks are
        raise RequestError(500, f"{destination.describe()}: not a datagen sink")
    return sink


def _not_configured(what: str, option: str) -> RequestError:
    return RequestError(
        400, f"this service has no {what} (start it with `datagen serve {option}`)"
    )


def _with_query(url: str, options: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{options}" if parts.query else options
    return urlunsplit(parts._replace(query=query))
