"""Clocks: simulated time for batch runs and reproducible documents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: Reference time when a run gives no --start: fixed, so a seed repeats its output.
DEFAULT_START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def parse_time(text: str, option: str = "--start") -> datetime:
    """An aware datetime from ISO 8601 text (UTC when no offset is given)."""
    from datagen.errors import ConfigError

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{option}: '{text}' is not an ISO 8601 time (e.g. 2025-01-01T09:00:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def isoformat(moment: datetime) -> str:
    """ISO 8601 with seconds precision, 'Z' for UTC: the format of every timestamp."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class SimulatedClock:
    """Time that moves only when told to: the clock of batch runs."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self.start = start
        self.now = start

    def advance(self, seconds: float) -> datetime:
        """Move forward and return the new time."""
        self.now += timedelta(seconds=seconds)
        return self.now

    def at(self, offset_seconds: float) -> datetime:
        """The time offset_seconds after the start."""
        return self.start + timedelta(seconds=offset_seconds)
