"""Cron schedules: the times a crontab line fires, in a time zone, by Debian
cron's rules where daylight-saving time changes the clock.

The times come from cronsim, which follows Debian cron: a job at a fixed
time (no `*` in its minute and hour fields) whose time is skipped when the
clock goes forward runs right after the change, and one whose time comes
twice when the clock goes back runs once, the first time; a job with a `*`
in its minute or hour field follows the clock as it is (an hourly job runs
every hour that passes, twice in the repeated hour).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import datetime, timezone, tzinfo
from typing import Any

from cronsim import CronSim, CronSimError

from datagen.errors import ConfigError

#: Debian cron's shorthands (@reboot has no time: a run never fires it).
SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
#: Fire times a zone's cache keeps behind the latest asked for before it
#: drops them (a year of a minutely schedule would otherwise stay in memory).
_KEEP = 4096


class CronSchedule:
    """A crontab time spec: five fields (`0 9 * * MON-FRI`) or a shorthand
    (`@daily`). Fire times are whole minutes, worked out once per time zone
    and shared by every actor that asks."""

    def __init__(self, text: str, where: str = "schedule") -> None:
        try:
            self.expression = _expression(text)
        except BadSchedule as exc:
            raise ConfigError(f"{where}: {exc}") from None
        self.text = text
        self._zones: dict[tzinfo, _Times] = {}

    def next_after(self, moment: float, zone: tzinfo) -> float | None:
        """The first fire time strictly after moment (epoch seconds), None
        when the schedule never fires again."""
        times = self._zones.get(zone)
        if times is None:
            times = self._zones[zone] = _Times(self.expression, zone)
        return times.next_after(moment)

    def first_from(self, moment: float, zone: tzinfo) -> float | None:
        """The first fire time at or after moment."""
        return self.next_after(moment - 1e-6, zone)

    def times(self, start: float, end: float, zone: tzinfo) -> Iterator[float]:
        """Every fire time from start (included) to end (excluded)."""
        moment = self.first_from(start, zone)
        while moment is not None and moment < end:
            yield moment
            moment = self.next_after(moment, zone)

    def __repr__(self) -> str:
        return f"CronSchedule({self.text!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"text": self.text, "expression": self.expression, "_zones": {}}


def parse_schedule(value: Any, where: str = "schedule") -> CronSchedule:
    """value (a crontab time spec, or a CronSchedule) as a CronSchedule;
    ConfigError naming `where` and the value when it is not one."""
    if isinstance(value, CronSchedule):
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {_not_text(value)}")
    return CronSchedule(value, where)


def schedule_problem(value: Any) -> str | None:
    """Why value is not a schedule (naming the value), None when it is one."""
    if not isinstance(value, str):
        return _not_text(value)
    try:
        _expression(value)
    except BadSchedule as exc:
        return str(exc)
    return None


class BadSchedule(ValueError):
    """Why a text is not a schedule, naming it."""


def _not_text(value: Any) -> str:
    return f"a schedule is cron text such as '0 9 * * MON-FRI', not {value!r}"


def _expression(text: str) -> str:
    """The five-field expression text stands for; BadSchedule if none."""
    spec = " ".join(text.split())
    if spec.startswith("@"):
        expression = SHORTHANDS.get(spec.lower())
        if expression is None:
            known = ", ".join(SHORTHANDS)
            raise BadSchedule(f"schedule '{text}': unknown shorthand (known: {known})")
        return expression
    parts = spec.split(" ") if spec else []
    if len(parts) != len(FIELDS):
        raise BadSchedule(
            f"schedule '{text}' has {len(parts)} fields; cron's are five: minute"
            " hour day-of-month month day-of-week (e.g. '0 9 * * MON-FRI')"
        )
    try:
        CronSim(spec, datetime(2000, 1, 1, tzinfo=timezone.utc))
    except CronSimError as exc:
        raise BadSchedule(f"schedule '{text}': {_reason(exc, parts)}") from None
    except (ValueError, IndexError, AssertionError):
        raise BadSchedule(f"schedule '{text}' is not a cron schedule") from None
    return spec


def _reason(exc: CronSimError, parts: list[str]) -> str:
    """cronsim's "Bad day-of-month" as "bad day-of-month field '32'"."""
    message = str(exc)
    for index, name in enumerate(FIELDS):
        if message == f"Bad {name}":
            return f"bad {name} field '{parts[index]}'"
    return message[:1].lower() + message[1:]


class _Times:
    """One zone's fire times, computed forward as asked and shared: a sorted
    list of the times after `origin` (all of them, up to its last)."""

    def __init__(self, expression: str, zone: tzinfo) -> None:
        self.expression = expression
        self.zone = zone
        self.origin = float("inf")
        self.times: list[float] = []
        self.source: Iterator[datetime] | None = None

    def next_after(self, moment: float) -> float | None:
        if moment < self.origin:
            self._restart(moment)
        times = self.times
        index = bisect_right(times, moment)
        while index == len(times):
            if not self._extend():
                return None
            index = bisect_right(times, moment, index)
        if index > _KEEP:
            self.origin = times[index - 1]
            del times[:index]
            index = 0
        return times[index]

    def _restart(self, moment: float) -> None:
        """Compute from moment on: cronsim yields the times after the whole
        second at or before it, which (times being whole minutes) are the
        times after moment, but for the repeated hour (below)."""
        start = datetime.fromtimestamp(moment, self.zone)
        self.source = CronSim(self.expression, start)
        self.origin, self.times = moment, []

    def _extend(self) -> bool:
        """One more fire time, False when there is none (cronsim gives up
        after 50 years without one). A fixed-time job's time in the hour the
        clock repeats is its first pass, which may come before a moment in
        the second pass, or equal a time already given: both are dropped."""
        assert self.source is not None
        last = self.times[-1] if self.times else self.origin
        for fire in self.source:
            moment = fire.timestamp()
            if moment > last:
                self.times.append(moment)
                return True
        return False
