"""Time as text: ISO 8601 times, durations, rates and zones; the fixed default start."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from datagen.errors import ConfigError

#: Reference time when a run gives no --start: fixed, so a seed repeats its output.
DEFAULT_START = datetime(2025, 1, 1, tzinfo=timezone.utc)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: Epoch numbers above this are milliseconds (year 5138 in seconds).
MILLISECONDS_ABOVE = 1e11
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_time(text: str, option: str = "--start") -> datetime:
    """An aware datetime from ISO 8601 text (UTC when no offset is given)."""
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


def epoch_seconds(value: Any) -> float | None:
    """A record's time as epoch seconds, read the same by faults, the run
    record and verify: ISO 8601 text starting with a date, a datetime or a
    date (no zone: UTC), an epoch number (seconds, or milliseconds when above
    1e11, as a Debezium envelope's ts_ms); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value / 1000 if abs(value) > MILLISECONDS_ABOVE else float(value)
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            return None
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    if isinstance(value, date):
        return datetime(
            value.year, value.month, value.day, tzinfo=timezone.utc
        ).timestamp()
    return None


def parse_duration(text: str, option: str = "--duration") -> float:
    """Seconds in '90s', '15m', '1h', '2d', '1h30m' or a bare number of seconds."""
    cleaned = text.strip().lower()
    try:
        seconds = float(cleaned)
    except ValueError:
        parts = _DURATION.findall(cleaned)
        if not parts or _DURATION.sub("", cleaned).strip():
            raise ConfigError(
                f"{option}: '{text}' is not a duration (e.g. 90s, 15m, 1h, 2d)"
            ) from None
        seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ConfigError(f"{option}: '{text}' must be longer than zero")
    return seconds


def duration_text(seconds: float) -> str:
    """Seconds as parse_duration reads them: 86400 -> '1d', 5400 -> '1h30m'."""
    left, parts = round(seconds), []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts) or f"{seconds:g}s"


def parse_rate(text: str, option: str = "--rate", zero: bool = False) -> float:
    """Events per second from '500/s', '60/m', '3600/h', '10/5s' or a bare
    number; with zero, 0 (or '0/h') too: none."""
    cleaned = text.strip()
    if cleaned.startswith("-"):
        raise ConfigError(f"{option}: '{text}' must be positive (e.g. 60/m, 500/s)")
    try:
        per_second = float(cleaned)
    except ValueError:
        match = _RATE.match(cleaned)
        if match is None:
            raise ConfigError(
                f"{option}: '{text}' is not a rate (e.g. 60/m, 500/s, 3600/h)"
            ) from None
        count, every, unit = match.groups()
        if every and not int(every):
            raise ConfigError(
                f"{option}: '{text}' counts events per zero time (e.g. 60/m, 500/s)"
            )
        per_second = float(count) / ((int(every) if every else 1) * _UNITS[unit])
    if zero and per_second == 0:
        return 0.0
    if not per_second > 0 or per_second == float("inf"):
        raise ConfigError(f"{option}: '{text}' must be positive (e.g. 60/m, 500/s)")
    return per_second


def resolve_timezone(name: str, option: str = "--timezone") -> tzinfo:
    """The zone called name ('UTC', 'Europe/Paris', '+02:00'); ConfigError if none."""
    if name.upper() in ("UTC", "Z"):
        return timezone.utc
    offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name.strip())
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        hours, minutes = int(offset.group(2)), int(offset.group(3))
        if hours > 23 or minutes > 59:
            raise ConfigError(
                f"{option}: offset '{name}' is out of range (from -23:59 to +23:59)"
            )
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{option}: unknown time zone '{name}' (e.g. UTC, Europe/Paris, +02:00)"
        ) from None


#: "000" to "999": a millisecond's text, looked up rather than formatted.
_MILLIS = tuple(f"{milli:03d}" for milli in range(1000))


@lru_cache(maxsize=4)
def _clock(first_minute: int) -> tuple[str, ...]:
    """ "MM:SS." for each second of a quarter hour starting at first_minute."""
    return tuple(
        f"{first_minute + minute:02d}:{second:02d}."
        for minute in range(15)
        for second in range(60)
    )


class TimeFormatter:
    """ISO 8601 text with milliseconds for epoch seconds in one zone ('Z' for UTC).

    Zone offsets change only on quarter hours, so the text up to the hour is
    worked out once per quarter hour and the rest is looked up (a second's
    "MM:SS.", a millisecond's digits): formatting stays off the profile of
    a run (0.47 us a time, against 1.14 us formatting the numbers).
    """

    _BLOCK = 900
    _KEEP = 4096  # quarter hours remembered: actors look ahead, so several are live

    def __init__(self, zone: tzinfo = timezone.utc) -> None:
        self.zone = zone
        self._blocks: dict[int, tuple[str, tuple[str, ...], str] | None] = {}

    def __call__(self, epoch: float) -> str:
        second, milli = divmod(round(epoch * 1000), 1000)
        block, into = divmod(second, self._BLOCK)
        try:
            parts = self._blocks[block]
        except KeyError:
            parts = self._start_block(block)
        if parts is None:  # an offset off the quarter hours: no shortcut
            text = _moment(second, self.zone).isoformat()
            return f"{text[:19]}.{milli:03d}{_zone_text(text[19:])}"
        head, clock, tail = parts
        return f"{head}{clock[into]}{_MILLIS[milli]}{tail}"

    def _start_block(self, block: int) -> tuple[str, tuple[str, ...], str] | None:
        moment = _moment(block * self._BLOCK, self.zone)
        offset = moment.utcoffset()
        parts: tuple[str, tuple[str, ...], str] | None = None
        if offset is not None and not offset.total_seconds() % self._BLOCK:
            text = moment.isoformat()
            parts = (text[:14], _clock(moment.minute), _zone_text(text[19:]))
        if len(self._blocks) >= self._KEEP:
            self._blocks.clear()
        self._blocks[block] = parts
        return parts


def _moment(epoch: float, zone: tzinfo) -> datetime:
    """The datetime of epoch in zone; ConfigError naming --start for a time
    outside the years 1 to 9999 (a run started near the end of time reaches
    them; formatting is where that shows)."""
    try:
        return datetime.fromtimestamp(epoch, zone)
    except (ValueError, OverflowError, OSError):
        where = (
            "after 9999-12-31: start earlier or run for less long"
            if epoch > 0
            else "before 0001-01-01 (in its zone): start later"
        )
        raise ConfigError(f"--start: the run reaches a time {where}") from None


def _zone_text(offset: str) -> str:
    return "Z" if offset == "+00:00" else offset
