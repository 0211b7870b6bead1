"""date and timestamp: min + k * step up to max, formatted.

Each spec is read once by `date_params` / `timestamp_params` into a frozen
record, which the row makers here (through base.from_params) and the
columnar engine's are built from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from datagen.declarative.kinds.base import (
    Context,
    Maker,
    Scopes,
    from_params,
    is_number,
    shown,
)
from datagen.declarative.problems import FieldPath, Problems
from datagen.errors import ConfigError
from datagen.timefmt import isoformat, parse_duration

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
TIMESTAMP_FORMATS = ("iso", "epoch", "epoch_ms")


@dataclass(frozen=True)
class DateParams:
    """Days first + days * k for k in 0..count (ordinals), formatted by fmt
    (strftime text; None: ISO)."""

    first: int
    days: int
    count: int
    fmt: str | None


@dataclass(frozen=True)
class TimestampParams:
    """Milliseconds since the epoch first_ms + step_ms * k for k in
    0..count; fmt: iso, epoch, epoch_ms or strftime text; whole: every
    moment falls on a second."""

    first_ms: int
    step_ms: int
    count: int
    fmt: str
    whole: bool


def date_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> DateParams | None:
    low = _day(spec, "min", path, problems)
    high = _day(spec, "max", path, problems)
    step = _step(spec, path, problems, "1d")
    if step is not None and step % 86400:
        problems.add((*path, "step"), "must be whole days (e.g. 1d, 7d, 2w)")
        step = None
    good, fmt = _strftime(spec, path, problems, None)
    if low is None or high is None or step is None or not good:
        return None
    if low > high:
        problems.add((*path, "max"), f"{high.isoformat()} is before min {low}")
        return None
    days = int(step // 86400)
    return DateParams(low.toordinal(), days, (high - low).days // days, fmt)


def _date(params: DateParams) -> Maker:
    first, days, count, fmt = params.first, params.days, params.count, params.fmt

    if fmt is None:

        def make(ctx: Context, scopes: Scopes) -> str:
            ordinal = first + days * ctx.random.randint(0, count)
            return date.fromordinal(ordinal).isoformat()

        return make

    def make_formatted(ctx: Context, scopes: Scopes) -> str:
        ordinal = first + days * ctx.random.randint(0, count)
        return date.fromordinal(ordinal).strftime(fmt)

    return make_formatted


date_kind = from_params(date_params, _date)


def timestamp_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> TimestampParams | None:
    low = _moment(spec, "min", path, problems)
    high = _moment(spec, "max", path, problems)
    step = _step(spec, path, problems, "1s")
    good, fmt = _strftime(spec, path, problems, "iso", TIMESTAMP_FORMATS)
    if low is None or high is None or step is None or not good or fmt is None:
        return None
    if low > high:
        problems.add(
            (*path, "max"), f"{isoformat(high)} is before min {isoformat(low)}"
        )
        return None
    step_ms = round(step * 1000)
    if step_ms < 1:
        problems.add((*path, "step"), "must be at least 1ms")
        return None
    first_ms = (low - EPOCH) // timedelta(milliseconds=1)
    count = ((high - low) // timedelta(milliseconds=1)) // step_ms
    whole = step_ms % 1000 == 0 and first_ms % 1000 == 0
    return TimestampParams(first_ms, step_ms, count, fmt, whole)


def _timestamp(params: TimestampParams) -> Maker:
    first_ms, step_ms, count = params.first_ms, params.step_ms, params.count
    fmt, whole = params.fmt, params.whole

    def draw(ctx: Context) -> int:
        return first_ms + step_ms * ctx.random.randint(0, count)

    if fmt == "epoch_ms":
        return lambda ctx, scopes: draw(ctx)
    if fmt == "epoch":
        if whole:
            return lambda ctx, scopes: draw(ctx) // 1000
        return lambda ctx, scopes: draw(ctx) / 1000
    if fmt == "iso" and whole:
        return lambda ctx, scopes: isoformat(EPOCH + timedelta(milliseconds=draw(ctx)))
    if fmt == "iso":

        def make_iso_ms(ctx: Context, scopes: Scopes) -> str:
            moment = EPOCH + timedelta(milliseconds=draw(ctx))
            return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

        return make_iso_ms
    text = str(fmt)
    return lambda ctx, scopes: (EPOCH + timedelta(milliseconds=draw(ctx))).strftime(
        text
    )


timestamp_kind = from_params(timestamp_params, _timestamp)


def _day(
    spec: Mapping[str, Any], key: str, path: FieldPath, problems: Problems
) -> date | None:
    if key not in spec:
        problems.add((*path, key), "is required (an ISO date, e.g. 2024-01-31)")
        return None
    value = spec[key]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):  # YAML reads 2024-01-31 as a date
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add((*path, key), f"{shown(value)} is not an ISO date (e.g. 2024-01-31)")
    return None


def _moment(
    spec: Mapping[str, Any], key: str, path: FieldPath, problems: Problems
) -> datetime | None:
    example = "(e.g. 2024-01-31T09:00:00Z)"
    if key not in spec:
        problems.add((*path, key), f"is required (an ISO date-time {example[1:]}")
        return None
    value = spec[key]
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
    if moment is None:
        problems.add((*path, key), f"{shown(value)} is not an ISO date-time {example}")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _step(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems, default: str
) -> float | None:
    """Seconds of spec's step: duration text (1s, 15m, 1d, 2w) or a number of
    seconds; None with a problem when it is not positive."""
    value = spec.get("step", default)
    if is_number(value):
        if value > 0:
            return float(value)
        problems.add((*path, "step"), f"must be positive, not {value}")
        return None
    if isinstance(value, str):
        try:
            return parse_duration(value, option="step")
        except ConfigError as exc:
            message = str(exc).removeprefix("step: ")
            problems.add((*path, "step"), message)
            return None
    problems.add((*path, "step"), f"must be a duration (e.g. 1d), not {shown(value)}")
    return None


def _strftime(
    spec: Mapping[str, Any],
    path: FieldPath,
    problems: Problems,
    default: str | None,
    names: tuple[str, ...] = (),
) -> tuple[bool, str | None]:
    """(True, the format): a name of `names` or strftime text with a '%';
    (False, None) with a problem otherwise."""
    value = spec.get("format", default)
    if value is None or value in names:
        return True, value
    if not isinstance(value, str) or "%" not in value:
        known = f"{', '.join(names)} or " if names else ""
        problems.add(
            (*path, "format"),
            f"must be {known}strftime text with '%' (e.g. %Y-%m-%d), "
            f"not {shown(value)}",
        )
        return False, None
    try:
        datetime(2000, 1, 1).strftime(value)
    except ValueError as exc:
        problems.add((*path, "format"), f"is not a strftime format: {exc}")
        return False, None
    return True, value
