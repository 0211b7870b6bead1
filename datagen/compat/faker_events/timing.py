"""Time in faker-events' terms: its time zones (hours from UTC, None for
local time), naive datetimes, and events released at a steady rate."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.pacing import Pacer
from datagen.errors import ConfigError
from datagen.timefmt import resolve_timezone


def released(
    batches: Generator[Batch, None, None], rate: float, clock: LiveClock
) -> Generator[Batch, None, None]:
    """The events of batches as they fall due: event k leaves k / rate seconds
    after the first (faker-events' "events per minute"), never early. Closing
    this closes batches (the simulation saves its profiles)."""
    pacer = Pacer(clock)
    released = 0
    try:
        for batch in batches:
            offset = 0
            while offset < len(batch):
                due = int(pacer.elapsed() * rate) + 1 - released
                if due <= 0:
                    pacer.wait_until(released / rate)
                    continue
                taken = batch.slice(offset, offset + due)
                offset += len(taken)
                released += len(taken)
                yield taken
    finally:
        batches.close()


def zone_of(value: Any) -> tzinfo:
    """The tzinfo of a faker-events timezone: None is local time, a number
    hours from UTC, text a zone name or offset."""
    if value is None:
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else timezone.utc
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not -24 < value < 24:
            raise ConfigError(f"timezone: {value} hours is not between -24 and 24")
        return timezone(timedelta(hours=value))
    if isinstance(value, str):
        return resolve_timezone(value, "timezone")
    raise ConfigError(f"timezone: {value!r} is not hours, a zone name or None")


def epoch_of(moment: Any, zone: tzinfo, what: str) -> float:
    """A datetime as epoch seconds; a naive one is in the generator's zone."""
    if not isinstance(moment, datetime):
        raise ConfigError(f"batch: {what} must be a datetime, not {moment!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def positive(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{what} must be a positive number, not {value!r}")
    return float(value)
