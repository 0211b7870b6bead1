"""faker-events 1.0's README (EventGenerator(stream=...), eg.events = ...,
live_stream(), profilers taking `self`), each example run with only its
import changed. Live runs here are paced by a fake clock, except the one
stopped by a real Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.compat.test_faker_events_helpers import (  # noqa: F401 (fixture)
    LAST_EVENT_FLOW,
    PROFILED,
    captured,
    fresh_generator,
    lines,
    ported,
    run_example,
    with_self,
)

pytestmark = pytest.mark.usefixtures("fresh_generator")
ROOT = Path(__file__).resolve().parents[2]


def test_console_live_stream_until_ctrl_c() -> None:
    """`eg.live_stream(epm=120)` prints the demo events until Ctrl-C, then
    'Stopping Event Stream' (run as a user would: a process, a SIGINT)."""
    example = """\
import faker_events

eg = faker_events.EventGenerator(num_profiles=100)
eg.live_stream(epm=120)
"""
    process = subprocess.Popen(
        [sys.executable, "-c", ported(example)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        received = [json.loads(process.stdout.readline()) for _ in range(2)]
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Stopping Event Stream." in err and "in total generated" in err
    for event in received + lines(rest):
        assert event["type"] == "example"
        assert {"event_time", "event_id", "user_id", "first_name"} <= set(event)


def test_batch_with_epm() -> None:
    example = """\
from datetime import datetime, timedelta

import faker_events

eg = faker_events.EventGenerator(num_profiles=1)

start = datetime(2019, 1, 1)  # No one wants to relive 2020...
finish = start + timedelta(seconds=10)

eg.batch(start, finish, epm=10)
"""
    sent = captured()
    for _ in range(5):
        run_example(example)
    assert len(sent) <= 15  # one profile: at most its three events a run
    for event in sent:
        moment = datetime.fromisoformat(event["event_time"]).replace(tzinfo=None)
        assert datetime(2019, 1, 1) <= moment < datetime(2019, 1, 1, 0, 0, 10)


def test_profiling_events_with_self(capfd: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("faker", reason="the example imports Faker")
    example = with_self(PROFILED) + (
        "\neg = EventGenerator(num_profiles=2)\n"
        "eg.events = Event(event, profiler)\n"
        "eg.live_stream()\n"
    )
    run_example(example)
    events = lines(capfd.readouterr().out)
    assert len(events) == 2
    assert [list(e) for e in events] == [["Fixed", "Once", "Always", "Profiled"]] * 2
    assert events[0]["Once"] == events[1]["Once"]
    assert events[0]["Profiled"] != events[1]["Profiled"]


def test_event_sequences(capfd: pytest.CaptureFixture[str]) -> None:
    example = """\
from faker_events import Event, EventGenerator

eg = EventGenerator(num_profiles=1)

a = Event({'Name': 'A'}, limit=1)
b = Event({'Name': 'B'}, limit=2)
c = Event({'Name': 'C'}, limit=1)

eg.events = a >> b >> c

eg.live_stream()
"""
    run_example(example)
    out, err = capfd.readouterr()
    assert out == '{"Name": "A"}\n{"Name": "B"}\n{"Name": "B"}\n{"Name": "C"}\n'
    assert "Event limit reached.  4 in total generated" in err


def test_persistent_state_with_self_event(capfd: pytest.CaptureFixture[str]) -> None:
    example = (
        "from faker_events import EventGenerator, Event\n\n"
        "eg = EventGenerator(num_profiles=1)\n\n"
        + with_self(LAST_EVENT_FLOW)
        + "\neg.events = a >> b >> c\n\neg.live_stream()\n"
    )
    scope = run_example(example)
    out, err = capfd.readouterr()
    assert lines(out) == [
        {"Name": "A", "LastEvent": "none"},
        {"Name": "B", "LastEvent": "EventA"},
        {"Name": "C", "LastEvent": "EventB"},
    ]
    assert "Event limit reached.  3 in total generated" in err
    assert scope["eg"].profiles[0].LastEvent == "EventB"


def test_multiple_event_flows(capfd: pytest.CaptureFixture[str]) -> None:
    example = """\
from faker_events import Event, EventGenerator

eg = EventGenerator(1)

flow_a1 = Event({"Name": "A1"}, limit=1)
flow_aa1 = Event({"Name": "AA1"}, limit=1)
flow_aa2 = Event({"Name": "AA2"}, limit=1)

flow_b1 = Event({"Name": "B1"}, limit=1)
flow_bb1 = Event({"Name": "BB1"}, limit=1)
flow_bb2 = Event({"Name": "BB2"}, limit=1)

eg.events = [flow_a1, flow_b1]
flow_a1 >> [flow_aa1, flow_aa2]
flow_b1 >> [flow_bb1, flow_bb2]

eg.live_stream()
"""
    run_example(example)
    out, err = capfd.readouterr()
    names = [event["Name"] for event in lines(out)]
    assert sorted(names) == ["A1", "AA1", "AA2", "B1", "BB1", "BB2"]
    assert names.index("A1") < min(names.index("AA1"), names.index("AA2"))
    assert names.index("B1") < min(names.index("BB1"), names.index("BB2"))
    assert "Event limit reached.  6 in total generated" in err
