"""Checks for field formats shared by the provider tests."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def assert_uuid4(value: str) -> None:
    """value is a canonical version-4 uuid string."""
    parsed = uuid.UUID(value)
    assert parsed.version == 4 and str(parsed) == value, value


def assert_email(value: str) -> None:
    assert EMAIL.match(value), value


def parse_time(value: str) -> datetime:
    """An ISO timestamp in the project's format (seconds, 'Z' for UTC)."""
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_within(value: str, now: datetime, seconds: int) -> None:
    """value is a timestamp in the `seconds` seconds up to now."""
    moment = parse_time(value)
    assert now - timedelta(seconds=seconds) <= moment <= now, (value, now)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def assert_adult(value: str, now: datetime, min_age: int = 18, max_age: int = 90):
    """value is a real ISO date at least min_age, under max_age years before now."""
    born = date.fromisoformat(value)  # raises on 2001-02-30 and the like
    assert born <= years_before(now.date(), min_age), (value, now)
    assert born > years_before(now.date(), max_age), (value, now)


def cents(amount: float) -> int:
    """amount in whole cents; fails when it has more than two decimals."""
    value = round(amount * 100)
    assert abs(amount * 100 - value) < 1e-6, amount
    return value
