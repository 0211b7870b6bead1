"""faker-events' README (the 1.x API: set_first_events, start, batch), each
Python example run with only its import changed, giving what the README says.

The examples that only build Events and call set_first_events are scripts for
faker-events' CLI (`faker-events -s script.py -n N`): they are run both ways
a user would, with `python generate.py simulate --script` and from Python
with a generator's create_events() or start().
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from datagen.compat.faker_events import EventGenerator
from tests.compat.test_faker_events_helpers import (  # noqa: F401 (fixture)
    LAST_EVENT_FLOW,
    ORDERED,
    PROFILED,
    FakeClock,
    captured,
    fresh_generator,
    lines,
    ported,
    run_example,
)

pytestmark = pytest.mark.usefixtures("fresh_generator")

CUSTOMERS = """\
from faker_events import Event, EventGenerator
from faker import Faker

faker = Faker()

customer = {'Name': 'Unknown', 'Job': None, 'Created': None, 'Updated': None}

def new_customer(event, profile):
    return {
        "Name": profile.first_name,
        "Job": profile.job,
        "Created": event.time,
        "Updated": event.time
    }

def change_job(event, profile):
    return {
        "Job": faker.job(),
        "Updated": event.time
    }

new_customer_event = Event(customer, new_customer)
customer_marriged_event = Event(customer, change_job)

new_customer_event >> customer_marriged_event

EventGenerator.set_first_events(new_customer_event)
"""

LAST_EVENT = (
    "from faker_events import Event, EventGenerator\n\n\n"
    + LAST_EVENT_FLOW
    + "\na >> b >> c\n\nEventGenerator.set_first_events(a)\n"
)


def script(tmp_path: Path, example: str, name: str = "fake_users_flow.py") -> Path:
    path = tmp_path / name
    path.write_text(ported(example))
    return path


def events_of(example: str, profiles: int) -> list[dict[str, Any]]:
    """The example run from Python: its flows for `profiles` profiles."""
    run_example(example)
    return list(EventGenerator(num_profiles=profiles).create_events())


def test_cli_demo_faker_events_n_10() -> None:
    """`faker-events -n 10` runs the demo flow: per profile an account opens
    (spent 0), then two payments add to what it spent."""
    events = list(EventGenerator(num_profiles=10).create_events())
    assert len(events) == 30
    keys = ["event_time", "type", "event_id", "user_id", "first_name"]
    keys += ["last_name", "spent", "status"]
    assert all(list(event) == keys for event in events)
    by_user: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_user.setdefault(event["user_id"], []).append(event)
    assert len(by_user) == 10
    for own in by_user.values():
        spent = [event["spent"] for event in own]
        assert len(own) == 3 and spent[0] == 0 and spent == sorted(spent)
        assert {event["status"] for event in own} == {"normal"}


def test_running_a_script_faker_events_s_n_1(invoke: Any, tmp_path: Path) -> None:
    """`faker-events -s fake_users_flow.py -n 1` is
    `simulate --script fake_users_flow.py --actors 1`."""
    flow = script(tmp_path, ORDERED)
    result = invoke("simulate", "--script", flow, "--actors", 1, "--seed", 3)
    assert lines(result.stdout) == [
        {"Name": "A"},
        {"Name": "B"},
        {"Name": "B"},
        {"Name": "C"},
    ]


def test_saving_the_profile_data_p_profiles_json(invoke: Any, tmp_path: Path) -> None:
    """`faker-events -s f.py -n 100 -p profiles.json`: the file is made on the
    first run, and the next run plays the same people."""
    flow = script(tmp_path, CUSTOMERS)
    saved = tmp_path / "profiles.json"
    argv = ["simulate", "--script", flow, "--actors", 100, "--profiles", saved]
    first = lines(invoke(*argv).stdout)
    assert saved.exists() and len(__import__("json").loads(saved.read_text())) == 100
    second = lines(invoke(*argv).stdout)
    assert len(first) == len(second) == 200
    assert Counter(e["Name"] for e in first) == Counter(e["Name"] for e in second)


def test_starting_a_batch() -> None:
    """`EventGenerator.batch(start, finish)`: events of the ten seconds from
    2019-01-01, in time order (the demo flow: no events were set)."""
    example = """\
from datetime import datetime, timedelta

from faker_events import EventGenerator

start = datetime(2019, 1, 1)  # No one wants to relive 2020...
finish = start + timedelta(seconds=10)

EventGenerator.batch(start, finish)
"""
    sent = captured()
    run_example(example)
    times = [event["event_time"] for event in sent]
    assert sent and times == sorted(times)
    first, last = datetime(2019, 1, 1), datetime(2019, 1, 1, 0, 0, 10)
    for text in times:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        assert first <= moment.replace(tzinfo=None) < last
    assert {event["type"] for event in sent} == {"example"}


def test_profiling_events_with_faker(tmp_path: Path, invoke: Any) -> None:
    """Fixed never changes, Once is drawn once, Always each event, Profiled
    is the profile's email; one event per profile."""
    pytest.importorskip("faker", reason="the example imports Faker")
    example = PROFILED + "\nEventGenerator.set_first_events(Event(event, profiler))\n"
    events = events_of(example, 10)
    assert len(events) == 10
    assert all(list(e) == ["Fixed", "Once", "Always", "Profiled"] for e in events)
    assert {e["Fixed"] for e in events} == {"Doesnt Change"}
    assert len({e["Once"] for e in events}) == 1
    assert {type(e["Always"]) for e in events} == {bool}
    assert all(re.fullmatch(r"[^@\s]+@[^@\s]+", e["Profiled"]) for e in events)
    assert len({e["Profiled"] for e in events}) == 10
    from_cli = lines(
        invoke("simulate", "--script", script(tmp_path, example), "--actors", 3).stdout
    )
    assert len(from_cli) == 3 and {e["Fixed"] for e in from_cli} == {"Doesnt Change"}


def test_ordered_sequence_a_b_b_c() -> None:
    assert events_of(ORDERED, 1) == [
        {"Name": "A"},
        {"Name": "B"},
        {"Name": "B"},
        {"Name": "C"},
    ]
    short = ORDERED.replace("a.next = b\nb.next = c\n", "a >> b >> c\n")
    assert events_of(short, 1) == events_of(ORDERED, 1)


def test_grouping_with_and_or_group_by() -> None:
    """`a & b` (or group_by=True): b is sent with a, at the same event_time."""
    example = """\
from faker_events import Event, EventGenerator

def stamp(event, profile):
    return {'time': event.time}

a = Event({'Name': 'A', 'time': None}, stamp)
b = Event({'Name': 'B', 'time': None}, stamp)
c = Event({'Name': 'C', 'time': None}, stamp, group_by=True)
d = Event({'Name': 'D', 'time': None}, stamp)

(a & b) >> c >> d

EventGenerator.set_first_events(a)
"""
    for _ in range(3):
        events = events_of(example, 4)
        assert len(events) == 16
        for name in "ABCD":
            assert sum(event["Name"] == name for event in events) == 4
        times = Counter(event["time"] for event in events)
        # A and B share a time, C and D share one: two times per profile
        assert sorted(times.values()) == [2] * 8


def test_persistent_state_customers_with_two_profiles() -> None:
    """Two profiles, a new-customer event then a job change each: four
    events; the change keeps Created and moves Updated."""
    pytest.importorskip("faker", reason="the example imports Faker")
    events = events_of(CUSTOMERS, 2)
    assert len(events) == 4
    assert all(list(e) == ["Name", "Job", "Created", "Updated"] for e in events)
    by_name: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_name.setdefault(event["Name"], []).append(event)
    assert len(by_name) == 2
    for created, changed in by_name.values():
        assert created["Created"] == created["Updated"]
        assert changed["Created"] == created["Created"]
        assert changed["Updated"] >= created["Updated"]


def test_persistent_state_last_event_on_the_profile() -> None:
    assert events_of(LAST_EVENT, 1) == [
        {"Name": "A", "LastEvent": "none"},
        {"Name": "B", "LastEvent": "EventA"},
        {"Name": "C", "LastEvent": "EventB"},
    ]


def test_multiple_event_flows() -> None:
    """Two flows per profile, interleaved: six events, each flow's first
    before its followers. (The README's last line misspells EventGenerator
    as `EventGeneratoe`; the example runs with the name spelled right.)"""
    example = """\
from faker_events import Event, EventGenerator

flow_a1 = Event({"Name": "A1"})
flow_aa1 = Event({"Name": "AA1"})
flow_aa2 = Event({"Name": "AA2"})

flow_b1 = Event({"Name": "B1"})
flow_bb1 = Event({"Name": "BB1"})
flow_bb2 = Event({"Name": "BB2"})

flow_a1 >> [flow_aa1, flow_aa2]
flow_b1 >> [flow_bb1, flow_bb2]

EventGeneratoe.set_first_events([flow_a1, flow_b1])
""".replace("EventGeneratoe", "EventGenerator")
    orders = set()
    for seed in range(8):
        run_example(example)
        names = [e["Name"] for e in EventGenerator(1, seed=seed).create_events()]
        assert sorted(names) == ["A1", "AA1", "AA2", "B1", "BB1", "BB2"]
        for first, follower in [("A1", "AA1"), ("A1", "AA2"), ("B1", "BB1")]:
            assert names.index(first) < names.index(follower)
        assert names.index("B1") < names.index("BB2")
        orders.add(tuple(names))
    assert len(orders) > 1  # the flows interleave differently by seed


def test_start_sends_live_and_says_when_the_limit_is_reached(
    fresh_generator: FakeClock, capfd: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    """`start()` on a generator: the README's "use the start method"; paced
    at epm events a minute, then 'Event limit reached' on stderr."""
    run_example(LAST_EVENT)
    EventGenerator(num_profiles=1).start(epm=30)
    out, err = capfd.readouterr()
    assert out.splitlines() == [
        '{"Name": "A", "LastEvent": "none"}',
        '{"Name": "B", "LastEvent": "EventA"}',
        '{"Name": "C", "LastEvent": "EventB"}',
    ]
    assert "Event limit reached.  3 in total generated" in err
    assert fresh_generator.slept == pytest.approx(4.0)  # 3 events at 2 s apart


def test_start_stops_after_count_and_batch_timezone(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """count= (a datagen addition) ends an endless flow; timezone= sets the
    zone of event times (here +10 hours, faker-events' offset in hours)."""
    example = """\
from faker_events import Event, EventGenerator

def stamp(event, profile):
    return {'time': event.time}

EventGenerator.set_first_events(Event({'Name': 'tick', 'time': None}, stamp, limit=0))
"""
    run_example(example)
    EventGenerator(num_profiles=3).start(epm=600, count=5)
    out, err = capfd.readouterr()
    assert len(lines(out)) == 5 and "5 in total generated" in err
    start = datetime(2019, 1, 1)
    EventGenerator(2, timezone=10).batch(start, start + timedelta(minutes=1), count=7)
    events = lines(capfd.readouterr().out)
    assert len(events) == 7
    assert all(event["time"].startswith("2019-01-01T00:0") for event in events)
    assert all(event["time"].endswith("+10:00") for event in events)


def test_same_seed_same_events() -> None:
    run_example(CUSTOMERS.replace("faker.job()", "event.random.choice(['x', 'y'])"))
    first = list(EventGenerator(5, seed=11).create_events())
    again = list(EventGenerator(5, seed=11).create_events())
    other = list(EventGenerator(5, seed=12).create_events())
    assert first == again and first != other
