"""A `POST /generator/add` body read into schedules, or one 4xx naming the
field at fault (`events[1].interval: ...`).

The body is the Eventer tool's (destinations, events, schedules), plus
datagen's own event forms: `provider`, `template` (Jsonnet as text) and
`declaration` (a declarative document's YAML) beside Eventer's base64
`schema`, and a `seed`. A request names topics and tables only: hosts,
users and passwords are the server's, set when it starts.

It is long because every field is checked where it is read, so that each
refusal names its path; the checks are small and alike, the cases many.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datagen.declarative.problems import nearest
from datagen.service.durations import format_duration, parse_duration

#: Shortest interval (Eventer's own floor).
MIN_INTERVAL_NS = 1_000_000
#: Go's int64, which Eventer's count is.
MAX_COUNT = 2**63 - 1
#: The event forms: the field holding the source, and what it is.
SOURCE_FIELDS = {
    "schema": "base64 of a Jsonnet template (Eventer's form)",
    "template": "a Jsonnet template as text",
    "provider": "the name of a registered provider",
    "declaration": "a declarative document provider's YAML or JSON",
}
#: Destination types and the field of their object naming where events go.
DESTINATION_TYPES = {"kafka": "topic", "postgres": "table", "sink": "name", "none": ""}
#: Fields of Eventer's destination configs that choose a server or a login:
#: the server's own, set at start; a request may not.
SERVER_FIELDS = {
    "kafka": ("bootstrap_servers",),
    "postgres": ("host", "port", "user", "password", "db", "ssl"),
}
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


class RequestError(Exception):
    """A request the service refuses: the HTTP status and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> RequestError:
    return RequestError(400, message)


@dataclass(frozen=True)
class DestinationSpec:
    """Where a generator's events go: a type and a topic, table or sink name.

    key: the Kafka message key's field, or the table's key columns (None:
    Eventer's choice, the `id` field for Kafka and every top-level field
    whose name ends in `id` for a table)."""

    type: str
    name: str = ""
    key: tuple[str, ...] | None = None

    def describe(self) -> str:
        if self.type == "none":
            return "none"
        noun = {"kafka": "topic", "postgres": "table", "sink": ""}[self.type]
        return f"{self.type} {noun} {self.name}".replace("  ", " ")

    def identity(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "key": self.key}


@dataclass(frozen=True)
class EventSpec:
    """What a generator makes and how often."""

    form: str  # a key of SOURCE_FIELDS
    text: str  # the template, the declaration or the provider's name
    dataset: str = ""
    count: int = 0  # 0 or less: until removed
    interval_ns: int = 1_000_000_000
    seed: int | None = None
    #: Where the request holds it ('events[1]'), for messages.
    label: str = "event"

    @property
    def where(self) -> str:
        """The request's field holding the source: 'events[1].schema'."""
        return f"{self.label}.{self.form}"

    @property
    def interval(self) -> str:
        return format_duration(self.interval_ns)

    @property
    def rate(self) -> float:
        """Events a second."""
        return 1e9 / self.interval_ns


@dataclass(frozen=True)
class ScheduleSpec:
    destination: DestinationSpec
    event: EventSpec


def parse_add(body: Any) -> list[ScheduleSpec]:
    """The schedules of an add request, or RequestError(400) naming the field."""
    body = _object(body, "the request body")
    _no_unknown(body, ("destinations", "events", "schedules"), "")
    destinations = {
        item_id: spec
        for item_id, spec in _items(body, "destinations", parse_destination)
    }
    events = {item_id: spec for item_id, spec in _items(body, "events", parse_event)}
    schedules = _list(body, "schedules")
    found = []
    for index, item in enumerate(schedules):
        where = f"schedules[{index}]"
        item = _object(item, where)
        _no_unknown(item, ("destination_id", "event_id"), where)
        destination_id = _required(item, "destination_id", where)
        event_id = _required(item, "event_id", where)
        if destination_id not in destinations:
            raise bad(
                f"{where}.destination_id: no destination has id '{destination_id}'"
                + nearest(destination_id, destinations)
            )
        if event_id not in events:
            raise bad(
                f"{where}.event_id: no event has id '{event_id}'"
                + nearest(event_id, events)
            )
        found.append(ScheduleSpec(destinations[destination_id], events[event_id]))
    return found


def parse_destination(item: Mapping[str, Any], where: str) -> DestinationSpec:
    kind = _required(item, "type", where)
    if kind not in DESTINATION_TYPES:
        raise bad(
            f"{where}.type: unknown destination type '{kind}': one of "
            f"{', '.join(DESTINATION_TYPES)}" + nearest(kind, DESTINATION_TYPES)
        )
    _no_unknown(item, ("id", "type", kind), where)
    field = DESTINATION_TYPES[kind]
    if not field:
        return DestinationSpec(kind)
    where = f"{where}.{kind}"
    config = _object(item.get(kind), where)
    for server_field in SERVER_FIELDS.get(kind, ()):
        if server_field in config:
            raise bad(
                f"{where}.{server_field}: a request cannot choose the server or "
                "its login: the service's own are set when it starts "
                f"(datagen serve --{'kafka' if kind == 'kafka' else 'database'})"
            )
    _no_unknown(config, (field, "key"), where)
    name = _required(config, field, where)
    if kind == "kafka" and not _TOPIC.match(name):
        raise bad(
            f"{where}.topic: '{name}' is not a Kafka topic name "
            "(1-249 letters, digits, '.', '_' or '-')"
        )
    return DestinationSpec(kind, name, _key(config, where))


def _key(config: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
    value = config.get("key")
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else value
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) and name.strip() for name in names)
    ):
        raise bad(f"{where}.key: must be a field name or a list of field names")
    return tuple(name.strip() for name in names)


def parse_event(item: Mapping[str, Any], where: str) -> EventSpec:
    _no_unknown(
        item, ("id", "dataset", "count", "interval", "seed", *SOURCE_FIELDS), where
    )
    form, text = parse_source(item, where)
    return EventSpec(
        form=form,
        text=text,
        dataset=dataset_of(item, where),
        count=_count(item, where),
        interval_ns=_interval(item, where),
        seed=_seed(item, where),
        label=where,
    )


def parse_source(item: Mapping[str, Any], where: str) -> tuple[str, str]:
    """(form, text) of the one source field an event (or preview) has."""
    given = [name for name in SOURCE_FIELDS if item.get(name) is not None]
    if len(given) != 1:
        forms = ", ".join(f"'{name}' ({what})" for name, what in SOURCE_FIELDS.items())
        problem = "needs one of" if not given else "takes only one of"
        raise bad(f"{where}: {problem} {forms}")
    form = given[0]
    text = _required(item, form, where)
    if form == "schema":
        text = _base64_text(text, f"{where}.schema")
    return form, text


def dataset_of(item: Mapping[str, Any], where: str) -> str:
    return _string(item, "dataset", where) or ""


def parse_preview(body: Any, max_count: int) -> tuple[EventSpec, int]:
    """A `POST /preview` body: the source (as an event) and how many samples."""
    where = "the request body"
    item = _object(body, where)
    _no_unknown(item, ("count", "seed", "dataset", *SOURCE_FIELDS), "")
    form, text = parse_source(item, where)
    count = item.get("count", 5)
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not 1 <= count <= max_count
    ):
        raise bad(f"count: must be a whole number from 1 to {max_count}")
    seed = _seed(item, "")
    event = EventSpec(form, text, dataset_of(item, ""), seed=seed or 0, label="preview")
    return event, count


def _base64_text(text: str, where: str) -> str:
    """The template base64 text stands for (padded, standard alphabet, as Go's
    encoding/json reads []byte), as UTF-8."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise bad(f"{where}: not valid base64") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad(f"{where}: the decoded template is not UTF-8 text") from None


def _count(item: Mapping[str, Any], where: str) -> int:
    value = item.get("count", 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"{where}.count: must be a whole number, not {_shown(value)}")
    if not -MAX_COUNT <= value <= MAX_COUNT:
        raise bad(f"{where}.count: {value} is out of range")
    return max(value, -1)


def _interval(item: Mapping[str, Any], where: str) -> int:
    value = item.get("interval")
    if not isinstance(value, str):
        raise bad(
            f"{where}.interval: "
            + ("is required" if value is None else f"must be text, not {_shown(value)}")
            + " (like '10s', '500ms' or '1m30s')"
        )
    try:
        nanoseconds = parse_duration(value)
    except ValueError as exc:
        raise bad(f"{where}.interval: {exc}") from None
    if nanoseconds < MIN_INTERVAL_NS:
        raise bad(f"{where}.interval: '{value}' is shorter than 1ms")
    return nanoseconds


def _seed(item: Mapping[str, Any], where: str) -> int | None:
    value = item.get("seed")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise bad(f"{_at(where, 'seed')}: must be a whole number from 0 to 2**63-1")
    return value


def _items(body: Mapping[str, Any], field: str, parse: Any) -> list[tuple[str, Any]]:
    """(id, parsed) of each item of body[field]; ids must be unique."""
    found: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(body, field)):
        where = f"{field}[{index}]"
        item = _object(item, where)
        item_id = _required(item, "id", where)
        if item_id in seen:
            raise bad(f"{where}.id: '{item_id}' is used twice")
        seen.add(item_id)
        found.append((item_id, parse(item, where)))
    return found


def _list(body: Mapping[str, Any], field: str) -> list[Any]:
    value = body.get(field)
    if value is None or value == []:
        raise bad(f"{field}: is not specified (a list of at least one)")
    if not isinstance(value, list):
        raise bad(f"{field}: must be a list, not {_shown(value)}")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise bad(f"{where}: must be a JSON object, not {_shown(value)}")
    return value


def _string(item: Mapping[str, Any], field: str, where: str) -> str | None:
    """item[field] as text; None when absent or empty."""
    value = item.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad(f"{_at(where, field)}: must be text, not {_shown(value)}")
    return value


def _required(item: Mapping[str, Any], field: str, where: str) -> str:
    """item[field] as text; 400 when absent or empty."""
    value = _string(item, field, where)
    if value is None:
        raise bad(f"{_at(where, field)}: is empty or not specified")
    return value


def _at(where: str, field: str) -> str:
    return f"{where}.{field}" if where else field


def _no_unknown(item: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in item:
        if key not in known:
            raise bad(
                f"{_at(where, str(key))}: unknown field; known: {', '.join(known)}"
                + nearest(str(key), known)
            )


def _shown(value: Any) -> str:
    names = {bool: "a boolean", str: "text", list: "a list", dict: "an object"}
    if value is None:
        return "null"
    if type(value) in names:
        shown = names[type(value)]
        return (
            f"{shown} '{value}'"
            if isinstance(value, str) and len(value) < 40
            else shown
        )
    return f"the number {value}" if isinstance(value, (int, float)) else "that"
