"""The sinks of a run: --sink specs opened, --route filters applied, every sink
counted (a user's send()-only sink included), so a run can report per sink."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.errors import ConfigError
from datagen.sinks.base import BaseSink, Delivery, Sink
from datagen.sinks.python_sink import PythonSink
from datagen.encoders import get_dotted
from datagen.redaction import redact, scrub
from datagen.sinks.spec import open_sink

_MISSING = object()


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
            # scrub, not redact: the text is not a URL, it holds one.
            raise ConfigError(f"--route '{scrub(text)}' is not FIELD=VALUE=SPEC")
        return cls(*parts)

    def matches(self, event: dict[str, Any]) -> bool:
        """True when the event has the field and its text equals the value (a
        missing field never matches; a null one compares as 'None')."""
        value = get_dotted(event, self.field, _MISSING)
        if value is _MISSING:
            return False
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return text == self.value


class CountedSink(BaseSink):
    """Any sink as a BaseSink named for the report, passed only the events its
    route matches; a sink that keeps no counts is counted by PythonSink."""

    def __init__(self, sink: Sink, name: str, route: Route | None = None) -> None:
        self.label = name if route is None else f"{name} ({route.field}={route.value})"
        super().__init__()
        self.sink = sink if isinstance(sink, BaseSink) else PythonSink(sink, name)
        self.route = route
        # Without a route every event goes through: the wrapped sink's bytes
        # fast path can be used as it is.
        self.encoder = self.sink.encoder if route is None else None

    def describe(self) -> str:
        return self.label

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if self.route is not None:
            events = [event for event in events if self.route.matches(event)]
        if events:
            self.sink.send_many(events)

    def write_encoded(self, data: bytes, count: int) -> None:
        self.sink.write_encoded(data, count)

    def flush(self) -> None:
        self.sink.flush()

    def close(self) -> Delivery:
        """Close the sink and return its counts under this sink's label; they
        are kept in self.delivery also when closing raises a SinkError."""
        return self._relabel(self.sink.close)

    def abort(self) -> Delivery:
        return self._relabel(self.sink.abort)

    def give_up(self) -> Delivery:
        return self._relabel(self.sink.give_up)

    def _relabel(self, end: Callable[[], Delivery]) -> Delivery:
        try:
            end()
        finally:
            counts = vars(self.sink.delivery).items()
            self.delivery = Delivery(
                self.label, **{k: v for k, v in counts if k != "sink"}
            )
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
