"""A live run's schedule is on the wall clock: a scheduled event leaves when
the clock shows its cron time, stamped with it, and --rate does not change
the times of a flow whose every event is scheduled. The clock here is a
test's own, which runs as fast as the run sleeps, so three hours take none."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from datagen.engine.clock import LiveClock
from datagen.engine.models.flows import Event, Flow
from datagen.engine.simulation import Simulation
from datagen.runs.simulation import (
    LiveOptions,
    RunLength,
    plan_window,
    write_simulation,
)
from tests.schedules.clocks import SleepingClock


class Received:
    """A sink noting the clock's time when each event arrives."""

    def __init__(self, clock: LiveClock) -> None:
        self.clock = clock
        self.events: list[tuple[datetime, dict[str, Any]]] = []

    def send(self, event: dict[str, Any]) -> None:
        self.events.append((self.clock.now(), event))


def stamp(event: Any, profile: Any) -> dict[str, Any]:
    return {"at": event.time}


def test_a_live_hourly_schedule_leaves_on_the_wall_clock_across_a_dst_change() -> None:
    # 25 October 2026, Europe/London: 02:00 BST -> 01:00 GMT
    clock = SleepingClock(datetime(2026, 10, 24, 23, 40, tzinfo=timezone.utc))
    hourly = Event({"name": "tick", "at": ""}, stamp, limit=0, schedule="0 * * * *")
    simulation = Simulation(Flow(hourly), actors=2, seed=1)
    window, pace = plan_window(
        simulation,
        RunLength(duration=3 * 3600.0),
        LiveOptions(live=True, rate=500.0),
        "Europe/London",
        clock,
    )
    assert window.intensity == 1.0  # the schedule, not --rate, sets the times
    sink = Received(clock)
    result = write_simulation(
        simulation, window, [sink], "test", pace=pace, clock=clock
    )
    assert result.count == len(sink.events) == 6
    stamped = [event["at"] for _, event in sink.events]
    assert stamped == [
        "2026-10-25T01:00:00.000+01:00",
        "2026-10-25T01:00:00.000+01:00",
        "2026-10-25T01:00:00.000Z",
        "2026-10-25T01:00:00.000Z",
        "2026-10-25T02:00:00.000Z",
        "2026-10-25T02:00:00.000Z",
    ]
    for arrived, event in sink.events:
        due = datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
        late = (arrived - due).total_seconds()
        assert 0 <= late <= 0.5, (event, late)
