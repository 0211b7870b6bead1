"""Declared flow events with `schedule:`, through the real CLI: across a
daylight-saving change they fire exactly when Debian cron would, written
out below from its rules (man 8 cron, Debian: "If the time has moved
forwards, those jobs which would have run in the time that was skipped will
be run soon after the change. Conversely, if the time has moved backwards
by less than 3 hours, those jobs that fall into the repeated time will not
be re-run. Only jobs that run at a particular time (not specified as
@hourly, nor with '*' in the hour or minute specifier) are affected. Jobs
which are specified with wildcards are run based on the new time
immediately."); same seed, same bytes whatever --workers; bad cron text is
one line naming the file, the field and the value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]

FLOW = """\
provider: {name}
kind: simulation
model: flow
actors: 1
events:
  job:
    schedule: "{schedule}"
    limit: 0
    fields:
      actor: {{gen: ref, field: profile.id}}
      at: {{gen: ref, field: event.time}}
"""


def simulate(
    folder: Path, schedule: str, *argv: object, name: str = "cron_job"
) -> subprocess.CompletedProcess[str]:
    providers = folder / "providers"
    providers.mkdir(exist_ok=True)
    (providers / f"{name}.yaml").write_text(FLOW.format(name=name, schedule=schedule))
    command = [sys.executable, str(ROOT / "generate.py"), "simulate", name]
    command += ["--providers-dir", str(providers), "--seed", "1", *map(str, argv)]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=folder, timeout=120
    )


def fired(folder: Path, schedule: str, start: str, end: str, zone: str) -> list[str]:
    out = folder / "out.jsonl"
    done = simulate(
        folder, schedule, "--start", start, "--end", end, "--timezone", zone, "-o", out
    )
    assert done.returncode == 0, done.stderr
    return [orjson.loads(line)["at"] for line in out.read_bytes().splitlines()]


# (schedule, zone, start, end, the times Debian cron runs the job)
CASES = [
    pytest.param(
        "30 1 * * *",
        "Europe/London",
        "2026-10-24T00:00:00+01:00",
        "2026-10-27T00:00:00Z",
        # 25 October 02:00 BST -> 01:00 GMT: 01:30 comes twice, the job runs once
        [
            "2026-10-24T01:30:00.000+01:00",
            "2026-10-25T01:30:00.000+01:00",
            "2026-10-26T01:30:00.000Z",
        ],
        id="london-autumn-fixed-time",
    ),
    pytest.param(
        "30 1 * * *",
        "Europe/London",
        "2026-03-28T00:00:00Z",
        "2026-03-31T00:00:00+01:00",
        # 29 March 01:00 GMT -> 02:00 BST: 01:30 is skipped, the job runs right after
        [
            "2026-03-28T01:30:00.000Z",
            "2026-03-29T02:00:00.000+01:00",
            "2026-03-30T01:30:00.000+01:00",
        ],
        id="london-spring-fixed-time",
    ),
    pytest.param(
        "0 * * * *",
        "Europe/London",
        "2026-03-29T00:00:00Z",
        "2026-03-29T04:00:00+01:00",
        # a wildcard job runs on the new time: 01:00 never shows on the clock
        [
            "2026-03-29T00:00:00.000Z",
            "2026-03-29T02:00:00.000+01:00",
            "2026-03-29T03:00:00.000+01:00",
        ],
        id="london-spring-hourly",
    ),
    pytest.param(
        "0 * * * *",
        "Europe/London",
        "2026-10-25T00:00:00+01:00",
        "2026-10-25T03:00:00Z",
        # ... and runs in both passes of the repeated hour
        [
            "2026-10-25T00:00:00.000+01:00",
            "2026-10-25T01:00:00.000+01:00",
            "2026-10-25T01:00:00.000Z",
            "2026-10-25T02:00:00.000Z",
        ],
        id="london-autumn-hourly",
    ),
    pytest.param(
        "*/15 2 * * *",
        "America/New_York",
        "2026-03-07T12:00:00-05:00",
        "2026-03-09T12:00:00-04:00",
        # 8 March 02:00 EST -> 03:00 EDT: hour 2 never happens, so neither do the runs
        [
            "2026-03-09T02:00:00.000-04:00",
            "2026-03-09T02:15:00.000-04:00",
            "2026-03-09T02:30:00.000-04:00",
            "2026-03-09T02:45:00.000-04:00",
        ],
        id="new-york-spring-wildcard-minute",
    ),
    pytest.param(
        "*/15 2 * * *",
        "America/New_York",
        "2026-10-31T12:00:00-04:00",
        "2026-11-01T12:00:00-05:00",
        # 1 November 02:00 EDT -> 01:00 EST: hour 2 comes once, after the repeat
        [
            "2026-11-01T02:00:00.000-05:00",
            "2026-11-01T02:15:00.000-05:00",
            "2026-11-01T02:30:00.000-05:00",
            "2026-11-01T02:45:00.000-05:00",
        ],
        id="new-york-autumn-wildcard-minute",
    ),
]


@pytest.mark.parametrize("schedule,zone,start,end,expected", CASES)
def test_a_schedule_fires_when_debian_cron_would(
    tmp_path: Path,
    schedule: str,
    zone: str,
    start: str,
    end: str,
    expected: list[str],
) -> None:
    assert fired(tmp_path, schedule, start, end, zone) == expected


def test_same_seed_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    argv = ["--actors", 40, "--start", "2026-10-24T00:00:00Z", "--duration", "2d"]
    argv += ["--timezone", "Europe/London"]
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.jsonl"
        done = simulate(
            tmp_path, "0,30 1 * * *", *argv, "--workers", workers, "-o", out
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    lines = outputs[0].splitlines()
    # 40 actors: 24 Oct 01:00 and 01:30 BST; 25 Oct 01:00 and 01:30 BST, once each
    assert len(lines) == 4 * 40
    assert outputs[0] == outputs[1]


def test_bad_cron_text_is_one_line_naming_the_file_field_and_value(
    tmp_path: Path,
) -> None:
    done = simulate(tmp_path, "0 9 * * MON-FRY", "--duration", "1h", name="bad_cron")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert "\n" not in line
    assert "bad_cron.yaml:7: events.job.schedule: schedule '0 9 * * MON-FRY'" in line
    assert "bad day-of-week field 'MON-FRY'" in line
