"""Users' own sinks, loaded by `--sink python:tests.cli.sink_fixtures:Class`."""

from __future__ import annotations

from typing import Any

#: What Collecting sinks received, by their `name` option.
RECEIVED: dict[str, list[dict[str, Any]]] = {}


class Collecting:
    """Keeps every event in RECEIVED[name]."""

    def __init__(self, name: str = "default") -> None:
        self.events = RECEIVED.setdefault(name, [])

    def send(self, event: dict[str, Any]) -> None:
        self.events.append(event)


class Failing:
    """Takes `after` events, then every send fails as a broken system would."""

    def __init__(self, after: str = "0") -> None:
        self.left = int(after)

    def send(self, event: dict[str, Any]) -> None:
        if self.left <= 0:
            raise ConnectionError("connection reset by peer")
        self.left -= 1
