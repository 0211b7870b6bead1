"""Event flows: faker-events' documented examples give their documented output."""

from __future__ import annotations

from typing import Any

import pytest

from datagen.engine.models.flows import Event, Flow, set_first_events
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError, ProviderError


def run(flow: Flow, actors: int = 1, **window: Any) -> list[dict[str, Any]]:
    return list(Simulation(flow, actors=actors, seed=1).run(**window))


def test_a_then_b_twice_then_c() -> None:
    a = Event({"Name": "A"})
    b = Event({"Name": "B"}, limit=2)
    c = Event({"Name": "C"})
    a >> b >> c
    assert run(set_first_events(a)) == [
        {"Name": "A"},
        {"Name": "B"},
        {"Name": "B"},
        {"Name": "C"},
    ]


def test_next_can_be_set_as_an_attribute() -> None:
    a, b = Event({"Name": "A"}), Event({"Name": "B"})
    a.next = b
    assert [event["Name"] for event in run(Flow(a))] == ["A", "B"]


def test_last_event_example_keeps_state_on_the_profile() -> None:
    def profiler_a(event: Any, profile: Any) -> None:
        profile.LastEvent = "EventA"

    def profiler_b(event: Any, profile: Any) -> None:
        event.data["LastEvent"] = profile.LastEvent
        profile.LastEvent = "EventB"

    def profiler_c(event: Any, profile: Any) -> None:
        event.data["LastEvent"] = profile.LastEvent

    a = Event({"Name": "A", "LastEvent": "none"}, profiler_a, 1)
    b = Event({"Name": "B", "LastEvent": "none"}, profiler_b, 1)
    c = Event({"Name": "C", "LastEvent": "none"}, profiler_c, 1)
    a >> b >> c
    simulation = Simulation(set_first_events(a), actors=1, seed=1)
    assert list(simulation.run()) == [
        {"Name": "A", "LastEvent": "none"},
        {"Name": "B", "LastEvent": "EventA"},
        {"Name": "C", "LastEvent": "EventB"},
    ]
    assert simulation.population.actors[0].profile["LastEvent"] == "EventB"


def test_new_customer_then_job_change_with_two_profiles() -> None:
    customer = {"Name": "Unknown", "Job": None, "Created": None, "Updated": None}
    jobs = ["Ergonomist", "Database administrator"]

    def new_customer(event: Any, profile: Any) -> dict[str, Any]:
        return {
            "Name": profile.first_name,
            "Job": profile.job,
            "Created": event.time,
            "Updated": event.time,
        }

    def change_job(event: Any, profile: Any) -> dict[str, Any]:
        return {"Job": event.random.choice(jobs), "Updated": event.time}

    new_customer_event = Event(customer, new_customer)
    job_change_event = Event(customer, change_job)
    new_customer_event >> job_change_event
    simulation = Simulation(set_first_events(new_customer_event), actors=2, seed=3)
    events = list(simulation.run())
    assert len(events) == 4
    people = [actor.profile for actor in simulation.population.actors]
    for person in people:
        mine = [event for event in events if event["Name"] == person.first_name]
        assert len(mine) == 2
        created, changed = mine
        assert created["Job"] == person.job and changed["Job"] in jobs
        # the change carries what the first event of the same template set
        assert changed["Created"] == created["Created"] == created["Updated"]
        assert changed["Updated"] > created["Updated"]
    assert [event["Updated"] for event in events] == sorted(
        event["Updated"] for event in events
    )


def test_limit_zero_repeats_for_the_whole_run_and_never_moves_on() -> None:
    tick = Event({"Name": "tick"}, limit=0, epm=60)
    tick >> Event({"Name": "never"})
    events = run(Flow(tick), duration="10m")
    assert {event["Name"] for event in events} == {"tick"}
    assert 450 < len(events) < 750  # about one a second for 600 s


def test_limits_count_per_actor() -> None:
    a = Event({"Name": "A"}, limit=3)
    events = run(Flow(a), actors=5)
    assert len(events) == 15


def test_grouped_events_share_their_time() -> None:
    def stamp(event: Any, profile: Any) -> dict[str, Any]:
        return {"at": event.time}

    order = Event({"Name": "order", "at": None}, stamp)
    payment = Event({"Name": "payment", "at": None}, stamp)
    receipt = Event({"Name": "receipt", "at": None}, stamp)
    (order & payment) >> receipt  # & binds looser than >>: group first
    events = run(Flow(order), actors=3)
    for name in ("order", "payment", "receipt"):
        assert sum(event["Name"] == name for event in events) == 3
    orders = [event["at"] for event in events if event["Name"] == "order"]
    payments = [event["at"] for event in events if event["Name"] == "payment"]
    receipts = [event["at"] for event in events if event["Name"] == "receipt"]
    assert sorted(orders) == sorted(payments)
    assert not set(receipts) & set(orders)


def test_group_by_flag_and_operator_agree() -> None:
    a = Event({"Name": "A"}, group_by=True)
    a >> Event({"Name": "B"})
    events = list(Simulation(Flow(a), actors=1, seed=2).keyed(_window()))
    assert events[0][0] == events[1][0]


def test_several_flows_per_actor() -> None:
    a1, b1 = Event({"Name": "A1"}), Event({"Name": "B1"})
    a1 >> [Event({"Name": "AA1"}), Event({"Name": "AA2"})]
    b1 >> [Event({"Name": "BB1"}), Event({"Name": "BB2"})]
    names = [event["Name"] for event in run(set_first_events([a1, b1]))]
    assert sorted(names) == ["A1", "AA1", "AA2", "B1", "BB1", "BB2"]
    assert names.index("A1") < names.index("AA1") and names.index("A1") < names.index(
        "AA2"
    )
    assert names.index("B1") < min(names.index("BB1"), names.index("BB2"))


def test_skip_emits_nothing_but_counts_to_the_limit() -> None:
    def odd_only(event: Any, profile: Any) -> Any:
        return {"n": event.id} if event.id % 2 else "skip"

    events = run(Flow(Event({"n": 0}, odd_only, limit=6)))
    assert events == [{"n": 1}, {"n": 3}, {"n": 5}]


def test_events_are_copies_not_the_live_data() -> None:
    def count(event: Any, profile: Any) -> None:
        event.data["nested"]["n"] += 1

    events = run(Flow(Event({"nested": {"n": 0}}, count, limit=3)))
    assert [event["nested"]["n"] for event in events] == [1, 2, 3]


def test_a_failing_profiler_is_a_provider_error_naming_the_event() -> None:
    def broken(event: Any, profile: Any) -> None:
        raise KeyError("missing")

    with pytest.raises(ProviderError, match="flow event 'boom': profiler failed"):
        run(Flow(Event({"Name": "boom"}, broken)))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Event(["not", "a", "dict"]), "template must be a dict"),
        (lambda: Event({"a": 1}, limit=-1), "limit must be 0 or more"),
        (lambda: Event({"a": 1}, epm=0), "epm must be positive"),
        (lambda: Flow([]), "at least one Event"),
        (lambda: Flow(Event({"Name": "x"}, limit=0, group_by=True)), "limit=0"),
        (lambda: Event({"a": 1}) >> "b", "is not an Event"),
    ],
)
def test_bad_flows_are_config_errors(make: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make()


def _window() -> Any:
    from datagen.engine.model import Window

    return Window(0.0, 3600.0)
