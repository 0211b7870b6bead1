"""The sink contract: anything with send(event); BaseSink adds counts, a fast
path for events already encoded, close and abort.

Every output of a run (files in every format, stdout, networked sinks, a
user's own class wrapped by PythonSink) is a BaseSink, and the one run loop
(`datagen.runs.loop`) talks to it only through this contract:

- `encoder`: None when the sink takes events as dicts (send_many); else the
  encoder whose bytes it writes as they are (write_encoded), so a batch that
  already holds those bytes is never decoded;
- `write_encoded(data, count)`: count events encoded by `encoder`;
- `tick()` between the events of a slow stream (never blocks),
- `flush()`, `close() -> Delivery` after a run, `abort() -> Delivery` after a
  failed one (drop what is not yet delivered where the sink can);
- `give_up() -> Delivery` after a second Ctrl-C: release at once, waiting for
  nothing; what was sent and neither acknowledged nor failed is `unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Protocol, runtime_checkable

from datagen.encoders import Encoder


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
    #: Sent, then the run stopped before the server said whether it has them.
    unknown: int = 0
    #: Why they are unknown, for the summary.
    unknown_reason: str = "interrupted before the sink answered"

    @property
    def complete(self) -> bool:
        """True when every event sent was acknowledged."""
        return self.failed == 0 and self.unknown == 0 and self.acknowledged == self.sent

    def summary(self) -> str:
        """One line: sink, sent, acknowledged, failed (and unknown, if any)."""
        line = (
            f"{self.sink}: sent {self.sent}, acknowledged {self.acknowledged}, "
            f"failed {self.failed}"
        )
        if self.unknown:
            line += f", unknown {self.unknown} ({self.unknown_reason})"
        return line


class BaseSink:
    """What the built-in sinks share: send_many, flush, close, counts, `with`."""

    name: ClassVar[str] = "sink"
    #: The encoder whose bytes write_encoded() takes; None: send_many() only.
    encoder: Encoder | None = None

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

    def write_encoded(self, data: bytes, count: int) -> None:
        """Deliver count events already encoded by self.encoder (the fast path);
        only called on sinks whose encoder is set."""
        raise NotImplementedError

    def flush(self) -> None:
        """Push out whatever is buffered."""

    def tick(self) -> None:
        """Called between events of a slow stream (a service's generator that
        sends one a second): deliver what has waited past the sink's linger
        and count what the server has answered, without blocking. Sinks that
        hold nothing back need nothing here."""

    def close(self) -> Delivery:
        """Flush, release resources and return the counts; safe to call twice."""
        self.flush()
        return self.delivery

    def abort(self) -> Delivery:
        """End a failed run: drop what is not delivered yet where the sink can
        (a file keeps its previous content), else close; returns the counts."""
        return self.close()

    def give_up(self) -> Delivery:
        """End a run stopped by a second Ctrl-C: wait for nothing (a server
        that does not answer must not hold the user). This default releases
        nothing and counts what was sent but neither acknowledged nor failed
        as unknown; sinks that can drop or release at once override it."""
        delivery = self.delivery
        delivery.unknown = max(
            delivery.sent - delivery.acknowledged - delivery.failed, 0
        )
        return delivery

    def __enter__(self) -> BaseSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
