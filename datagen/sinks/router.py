"""The sinks of a run: --sink specs opened, --route filters applied, every sink
counted (a user's send()-only sink included), so a run can report per sink."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datagen.errors import ConfigError
from datagen.sinks.base import BaseSink, Delivery, Sink
from datagen.sinks.spec import open_sink, redact


@dataclass(frozen=True)
class Route:
    """Send events whose `field` (dotted for nested) equals `value` to `spec`."""

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
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return text == self.value


class CountedSink(BaseSink):
    """Any sink as a BaseSink: passes events on, optionally only those a route
    matches, and keeps counts when the sink keeps none itself."""

    def __init__(self, sink: Sink, name: str, route: Route | None = None) -> None:
        self.label = name if route is None else f"{name} ({route.field}={route.value})"
        super().__init__()
        self.sink = sink
        self.route = route

    def describe(self) -> str:
        return self.label

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if self.route is not None:
            events = [event for event in events if self.route.matches(event)]
        if not events:
            return
        send_many = getattr(self.sink, "send_many", None)
        if send_many is not None:
            send_many(events)
        else:
            for event in events:
                self.sink.send(event)
        if not isinstance(self.sink, BaseSink):
            self.delivery.sent += len(events)
            self.delivery.acknowledged += len(events)

    def flush(self) -> None:
        flush = getattr(self.sink, "flush", None)
        if flush is not None:
            flush()

    def close(self) -> Delivery:
        """Close the sink; its own counts where it keeps them, else ours."""
        if isinstance(self.sink, BaseSink):
            inner = self.sink.close()
            counts = {k: v for k, v in vars(inner).items() if k != "sink"}
            return Delivery(self.label, **counts)
        close = getattr(self.sink, "close", None)
        if close is not None:
            close()
        else:
            self.flush()
        return self.delivery


def open_sinks(specs: Sequence[str], routes: Sequence[str] = ()) -> list[CountedSink]:
    """Open each --sink spec and each --route; closes what opened if one fails."""
    opened: list[CountedSink] = []
    try:
        for spec in specs:
            opened.append(CountedSink(open_sink(spec), redact(spec)))
        for text in routes:
            route = Route.parse(text)
            opened.append(CountedSink(open_sink(route.spec), redact(route.spec), route))
    except BaseException:
        for sink in opened:
            sink.close()
        raise
    return opened
