"""Intervals read as Go's time.ParseDuration reads them (Eventer's rules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datagen.service.durations import format_duration, parse_duration

MS = 1_000_000


@pytest.mark.parametrize(
    "text, nanoseconds",
    [
        ("10s", 10_000 * MS),
        ("8s", 8_000 * MS),
        ("1ms", MS),
        ("300ms", 300 * MS),
        ("1.5h", 5_400_000 * MS),
        ("1m30s", 90_000 * MS),
        ("2h45m", 9_900_000 * MS),
        ("1500us", 1_500_000),
        ("1500µs", 1_500_000),  # MICRO SIGN
        ("1500μs", 1_500_000),  # GREEK SMALL LETTER MU
        ("7ns", 7),
        (".5s", 500 * MS),
        ("0", 0),
        ("+10s", 10_000 * MS),
    ],
)
def test_go_durations(text: str, nanoseconds: int) -> None:
    assert parse_duration(text) == nanoseconds


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "is empty"),
        ("10", "not a duration"),
        ("10 s", "not a duration"),
        ("10sec", "not a duration"),
        ("s", "not a duration"),
        ("-1s", "negative"),
        ("1d", "not a duration"),
        ("9999999999h", "longest duration"),
    ],
)
def test_what_is_not_a_duration_says_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=2**62))
def test_a_formatted_duration_reads_back(nanoseconds: int) -> None:
    assert parse_duration(format_duration(nanoseconds)) == nanoseconds


def test_formats_are_the_shortest_spelling() -> None:
    assert format_duration(90_000 * MS) == "1m30s"
    assert format_duration(250 * MS) == "250ms"
    assert format_duration(2_000) == "2us"
    assert format_duration(0) == "0s"
