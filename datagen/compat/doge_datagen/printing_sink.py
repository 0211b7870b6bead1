"""doge-datagen's PrintingSink: one line on stdout per transition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datagen.compat.doge_datagen.doge import EventSink, Transition
from datagen.errors import ConfigError

__all__ = ["PrintingSink"]


class PrintingSink(EventSink):
    """Prints format_function(timestamp, subject, transition) per transition."""

    def __init__(self, format_function: Callable[[int, Any, Transition], Any]) -> None:
        if not callable(format_function):
            raise ConfigError(
                "PrintingSink: format_function must be callable, not "
                f"{format_function!r}"
            )
        self.format_function = format_function

    def collect(self, timestamp: int, subject: Any, transition: Transition) -> None:
        print(self.format_function(timestamp, subject, transition))
