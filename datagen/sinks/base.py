"""The sink contract: anything with send(event); BaseSink adds counts and close."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Protocol, runtime_checkable


@runtime_checkable
class Sink(Protocol):
    """Anything with send() is a sink: a user's own class needs nothing more."""

    def send(self, event: dict[str, Any]) -> None: ...


@dataclass
class Delivery:
    """What one sink did with the events it was given."""

    sink: str
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    retried: int = 0

    @property
    def complete(self) -> bool:
        """True when every event sent was acknowledged."""
        return self.failed == 0 and self.acknowledged == self.sent

    def summary(self) -> str:
        """One line: sink, sent, acknowledged, failed."""
        return (
            f"{self.sink}: sent {self.sent}, acknowledged {self.acknowledged}, "
            f"failed {self.failed}"
        )


class BaseSink:
    """What the built-in sinks share: send_many, flush, close, counts, `with`."""

    name: ClassVar[str] = "sink"

    def __init__(self) -> None:
        self.delivery = Delivery(self.describe())

    def describe(self) -> str:
        """How the sink is named in reports; never holds secrets."""
        return self.name

    def send(self, event: dict[str, Any]) -> None:
        """Deliver (or buffer) one event."""
        self.send_many([event])

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        """Deliver (or buffer) events in order; the fast path for batches."""
        raise NotImplementedError

    def flush(self) -> None:
        """Push out whatever is buffered."""

    def close(self) -> Delivery:
        """Flush, release resources and return the counts; safe to call twice."""
        self.flush()
        return self.delivery

    def __enter__(self) -> BaseSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
