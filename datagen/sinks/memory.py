"""MemorySink: keeps events in a list; for tests and Python users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datagen.sinks.base import BaseSink
from datagen.sinks.spec import register_sink


@register_sink
class MemorySink(BaseSink):
    name = "memory"
    schemes = ("memory",)

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []

    @classmethod
    def from_url(cls, url: str) -> MemorySink:
        return cls()

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        self.events.extend(events)
        self.delivery.sent += len(events)
        self.delivery.acknowledged += len(events)
