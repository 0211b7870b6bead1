"""CronSchedule: the times a crontab line fires, by Debian cron's rules at
daylight-saving changes, and bad cron text refused in one line naming it."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from datagen.engine.schedules import CronSchedule, parse_schedule, schedule_problem
from datagen.errors import ConfigError

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def fired(text: str, start: str, end: str, zone: ZoneInfo) -> list[str]:
    """The fire times from start to end (local ISO text, no offset given:
    read in zone), as local ISO text with their offsets."""
    first = datetime.fromisoformat(start).replace(tzinfo=zone).timestamp()
    last = datetime.fromisoformat(end).replace(tzinfo=zone).timestamp()
    schedule = CronSchedule(text)
    return [
        datetime.fromtimestamp(moment, zone).isoformat()
        for moment in schedule.times(first, last, zone)
    ]


def test_a_fixed_time_job_runs_once_in_the_repeated_hour() -> None:
    # 2026-10-25 01:00 BST -> 01:00 GMT: 01:30 comes twice, the job runs at the first
    assert fired("30 1 * * *", "2026-10-24T00:00", "2026-10-27T00:00", LONDON) == [
        "2026-10-24T01:30:00+01:00",
        "2026-10-25T01:30:00+01:00",
        "2026-10-26T01:30:00+00:00",
    ]


def test_a_fixed_time_job_skipped_by_the_jump_runs_right_after_it() -> None:
    # 2026-03-29 01:00 GMT -> 02:00 BST: no 01:30; the job runs at 02:00 BST
    assert fired("30 1 * * *", "2026-03-28T00:00", "2026-03-31T00:00", LONDON) == [
        "2026-03-28T01:30:00+00:00",
        "2026-03-29T02:00:00+01:00",
        "2026-03-30T01:30:00+01:00",
    ]


def test_an_hourly_job_follows_the_clock_as_it_is() -> None:
    assert fired("0 * * * *", "2026-03-29T00:00", "2026-03-29T04:00", LONDON) == [
        "2026-03-29T00:00:00+00:00",
        "2026-03-29T02:00:00+01:00",
        "2026-03-29T03:00:00+01:00",
    ]
    assert fired("0 * * * *", "2026-10-25T00:00", "2026-10-25T03:00", LONDON) == [
        "2026-10-25T00:00:00+01:00",
        "2026-10-25T01:00:00+01:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
    ]


def test_a_wildcard_minute_job_skips_a_missing_hour_and_repeats_a_doubled_one() -> None:
    # New York, 2026-03-08 02:00 EST -> 03:00 EDT: hour 2 does not exist that day
    assert fired("*/15 2 * * *", "2026-03-07T12:00", "2026-03-09T12:00", NEW_YORK) == [
        "2026-03-09T02:00:00-04:00",
        "2026-03-09T02:15:00-04:00",
        "2026-03-09T02:30:00-04:00",
        "2026-03-09T02:45:00-04:00",
    ]
    # 2026-11-01 02:00 EDT -> 01:00 EST: hour 1 comes twice, and so do its runs
    assert fired("*/15 1 * * *", "2026-11-01T00:00", "2026-11-01T03:00", NEW_YORK) == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:15:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:45:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:15:00-05:00",
        "2026-11-01T01:30:00-05:00",
        "2026-11-01T01:45:00-05:00",
    ]


def test_next_after_is_strictly_after_and_first_from_includes_the_moment() -> None:
    schedule = CronSchedule("0 9 * * MON-FRI")
    friday = datetime(2026, 1, 9, 9, tzinfo=timezone.utc).timestamp()
    monday = datetime(2026, 1, 12, 9, tzinfo=timezone.utc).timestamp()
    assert schedule.first_from(friday, timezone.utc) == friday
    assert schedule.next_after(friday, timezone.utc) == monday
    assert schedule.next_after(friday - 0.5, timezone.utc) == friday


def test_a_start_in_the_second_pass_of_the_repeated_hour_fires_nothing_earlier() -> (
    None
):
    # 01:10 GMT, after 01:30 BST has passed: the next run is the next day's
    second_pass = datetime(2026, 10, 25, 1, 10, tzinfo=LONDON, fold=1).timestamp()
    following = CronSchedule("30 1 * * *").next_after(second_pass, LONDON)
    assert following is not None
    assert datetime.fromtimestamp(following, LONDON).isoformat() == (
        "2026-10-26T01:30:00+00:00"
    )


def test_answers_stay_right_when_the_cache_is_trimmed_and_asked_earlier() -> None:
    schedule = CronSchedule("* * * * *")
    start = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    late = start + 30 * 86_400  # far past what the cache keeps
    assert schedule.next_after(late + 1, timezone.utc) == late + 60
    assert schedule.next_after(start + 1, timezone.utc) == start + 60
    assert schedule.next_after(late - 61, timezone.utc) == late - 60


def test_shorthands_and_names_read_as_debian_cron_does() -> None:
    utc = timezone.utc
    start = datetime(2026, 1, 1, 12, tzinfo=utc).timestamp()
    daily = CronSchedule("@daily").next_after(start, utc)
    assert daily == datetime(2026, 1, 2, tzinfo=utc).timestamp()
    sunday = CronSchedule("0 0 * * 7").next_after(start, utc)  # 7 is Sunday too
    assert sunday == datetime(2026, 1, 4, tzinfo=utc).timestamp()
    assert CronSchedule("0 0 1 jan *").next_after(start, utc) == (
        datetime(2027, 1, 1, tzinfo=utc).timestamp()
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("61 * * * *", "schedule '61 * * * *': bad minute field '61'"),
        ("0 24 * * *", "bad hour field '24'"),
        ("0 0 32 * *", "bad day-of-month field '32'"),
        ("0 0 * 13 *", "bad month field '13'"),
        ("0 9 * * FUN", "bad day-of-week field 'FUN'"),
        ("0 0 31 2 *", "bad day-of-month field '31'"),  # February never has it
        ("* * * *", "has 4 fields; cron's are five"),
        ("0 0 * * * *", "has 6 fields"),
        ("", "has 0 fields"),
        ("@reboot", "unknown shorthand"),
    ],
)
def test_bad_cron_text_is_one_line_naming_where_and_the_value(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_schedule(text, "events.backup.schedule")
    assert str(caught.value).startswith("events.backup.schedule: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert schedule_problem(text) is not None


def test_a_schedule_must_be_text() -> None:
    with pytest.raises(ConfigError, match="flow event 'x': a schedule is cron text"):
        parse_schedule(5, "flow event 'x'")
    assert schedule_problem("0 9 * * MON-FRI") is None
