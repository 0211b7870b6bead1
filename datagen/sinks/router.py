"""Fan-out: every event to every sink given, or only to the sinks its route matches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.errors import ConfigError, SinkError
from datagen.sinks.base import BaseSink, Delivery, Sink
from datagen.sinks.spec import open_sink, redact


@dataclass(frozen=True)
class Route:
    """Send events whose `field` equals `value` (as text) to the sink `spec`."""

    field: str
    value: str
    spec: str

    @classmethod
    def parse(cls, text: str) -> Route:
        """FIELD=VALUE=SPEC; the spec may itself hold '=' (query options)."""
        parts = text.split("=", 2)
        if len(parts) != 3 or not all(parts):
            raise ConfigError(f"--route '{redact(text)}' is not FIELD=VALUE=SPEC")
        return cls(*parts)

    def matches(self, event: dict[str, Any]) -> bool:
        value: Any = event
        for part in self.field.split("."):
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        return (
            str(value).lower() == self.value.lower()
            if isinstance(value, bool)
            else str(value) == self.value
        )


class _Target:
    """A sink with its optional route, and the counts for sinks without any."""

    def __init__(self, sink: Sink, name: str, route: Route | None) -> None:
        self.sink = sink
        self.route = route
        self.own = Delivery(name)  # used when the sink keeps no counts itself

    def deliver(self, events: Sequence[dict[str, Any]]) -> None:
        if self.route is not None:
            events = [event for event in events if self.route.matches(event)]
        if not events:
            return
        send_many: Callable[[Sequence[dict[str, Any]]], None] | None = getattr(
            self.sink, "send_many", None
        )
        if send_many is not None:
            send_many(events)
        else:
            for event in events:
                self.sink.send(event)
        if not isinstance(self.sink, BaseSink):
            self.own.sent += len(events)
            self.own.acknowledged += len(events)

    def close(self) -> Delivery:
        if isinstance(self.sink, BaseSink):
            return self.sink.close()
        for method in ("flush", "close"):
            action = getattr(self.sink, method, None)
            if action is not None:
                action()
        return self.own


class Fanout(BaseSink):
    """Sends each batch to every target; close() closes them all, even after errors."""

    name = "fanout"

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[_Target] = []
        self.deliveries: list[Delivery] = []

    @classmethod
    def from_specs(cls, specs: Sequence[str], routes: Sequence[str] = ()) -> Fanout:
        """Open each --sink spec and each --route; closes what opened if one fails."""
        fanout = cls()
        try:
            for spec in specs:
                fanout.add(open_sink(spec), redact(spec))
            for text in routes:
                route = Route.parse(text)
                fanout.add(open_sink(route.spec), redact(route.spec), route)
        except BaseException:
            fanout.close()
            raise
        return fanout

    def add(self, sink: Sink, name: str, route: Route | None = None) -> None:
        self.targets.append(_Target(sink, name, route))

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        for target in self.targets:
            target.deliver(events)
        self.delivery.sent += len(events)

    def close(self) -> Delivery:
        """Close every target; raises the first SinkError after closing them all."""
        first_error: SinkError | None = None
        for target in self.targets:
            try:
                self.deliveries.append(target.close())
            except SinkError as error:
                first_error = first_error or error
                self.deliveries.append(target.own)
        self.targets = []
        if first_error is not None:
            raise first_error
        return self.delivery

    @property
    def complete(self) -> bool:
        """True when every target acknowledged all it was sent."""
        return all(delivery.complete for delivery in self.deliveries)
