"""State machines: seeded repeatability, time order, transition frequencies, sinks."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from scipy.stats import chisquare

from datagen.engine.actors import make_actor
from datagen.engine.model import Window
from datagen.engine.runner import run_actors
from datagen.engine.models.state_machine import EventSink, StateMachine, Transition
from datagen.errors import ConfigError

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
PERCENTS = {"a": {"to_b": 2.0, "to_c": 3.0, "ping": 1.0}, "b": {"back": 10.0}}


def three_states(ticks: int | None = None) -> StateMachine:
    machine = StateMachine(["a", "b", "c"], "a", None, 1, 60_000, ticks)
    machine.add_transition("to_b", "a", "b", 2)
    machine.add_transition("to_c", "a", "c", 3)
    machine.add_transition("ping", "a", "a", 1)
    machine.add_transition("back", "b", "a", 10)
    machine.add_transition("home", "c", "a", 50)
    machine.add_transition("over", "c", "b", 20)
    return machine


def run(machine: Any, actors: int, seed: int = 7, minutes: float = 600) -> list:
    window = Window(START, START + minutes * 60)
    return list(
        run_actors(machine, (make_actor(seed, i) for i in range(actors)), window)
    )


def test_same_seed_same_stream_and_another_seed_another():
    first = run(three_states(), 50)
    assert first == run(three_states(), 50)
    assert first != run(three_states(), 50, seed=8)
    assert len(first) > 500


def test_stream_is_in_time_order_and_each_actor_moves_on_ticks():
    keyed = run(three_states(), 100)
    assert [k[:3] for k in keyed] == sorted(k[:3] for k in keyed)
    last: dict[int, float] = {}
    for moment, index, _, event in keyed:
        assert (moment - START) % 60 == 0
        assert moment > last.get(index, START - 1)
        last[index] = moment


def test_each_actor_walks_a_connected_path_of_states():
    state: dict[int, str] = defaultdict(lambda: "a")
    for _, index, _, event in run(three_states(), 100):
        assert event["from_state"] == state[index]
        state[index] = event["to_state"]


def test_transition_frequencies_match_their_percents():
    """Per state, each tick is a draw: every trigger at its percent, else stay."""
    ticks = 20_000
    machine = three_states(ticks)
    keyed = run(machine, 40, minutes=ticks + 10)
    draws: Counter[str] = Counter()
    taken: dict[str, Counter[str]] = defaultdict(Counter)
    since: dict[int, tuple[str, int]] = defaultdict(lambda: ("a", -1))
    for moment, index, _, event in keyed:
        tick = round((moment - START) / 60)
        state, entered = since[index]
        draws[state] += tick - entered
        taken[state][event["trigger"]] += 1
        since[index] = (event["to_state"], tick)
    for state, entered in since.values():
        draws[state] += ticks - 1 - entered
    for state, percents in PERCENTS.items():
        observed = [taken[state][trigger] for trigger in percents]
        observed.append(draws[state] - sum(observed))
        shares = [p / 100 for p in percents.values()]
        expected = [draws[state] * s for s in [*shares, 1 - sum(shares)]]
        assert min(observed[:-1]) > 500  # a long enough run to tell
        assert chisquare(observed, expected).pvalue > 0.001, (state, observed)


def test_ticks_num_bounds_the_run():
    keyed = run(three_states(ticks=30), 200, minutes=1000)
    assert keyed and max(k[0] for k in keyed) <= START + 29 * 60


def test_a_callback_returning_false_cancels_and_others_go_ahead():
    calls = Counter()

    def refuse(subject: Any, transition: Transition) -> bool:
        calls["refused"] += 1
        return False

    def allow(subject: Any, transition: Transition) -> None:
        calls["allowed"] += 1  # returning nothing does not cancel

    machine = StateMachine(["a", "b"], "a")
    machine.add_transition("never", "a", "b", 30, refuse)
    machine.add_transition("hop", "a", "b", 20, allow)
    machine.add_transition("back", "b", "a", 50)
    events = [k[3] for k in run(machine, 20, minutes=300)]
    triggers = Counter(e["trigger"] for e in events)
    assert triggers["never"] == 0 and calls["refused"] > 100
    # Each actor's one look-ahead draw past the window's end may run a callback.
    assert 0 <= calls["allowed"] - triggers["hop"] <= 20 and triggers["hop"] > 100


def test_a_state_nothing_leaves_ends_the_subjects_walk():
    machine = StateMachine(["alive", "gone"], "alive")
    machine.add_transition("leave", "alive", "gone", 5)
    events = [k[3] for k in run(machine, 300, minutes=10_000)]
    assert Counter(e["trigger"] for e in events) == {"leave": 300}


class Recorder(EventSink):
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []
        self.closed = 0

    def collect(self, timestamp: int, subject: Any, transition: Transition) -> None:
        self.calls.append((timestamp, subject.index, transition.trigger))

    def close(self) -> None:
        self.closed += 1


def test_sinks_get_every_transition_in_stream_order_and_start_closes_them():
    recorder, plain = Recorder(), []
    machine = StateMachine(["a", "b"], "a", None, 30, 60_000, 500)
    machine.add_transition("go", "a", "b", 10, event_sinks=[recorder])
    machine.add_transition(
        "back", "b", "a", 40, event_sinks=[recorder, lambda *call: plain.append(call)]
    )
    events = list(machine.events(seed=3))
    assert len(recorder.calls) == len(events) > 1000
    assert [c[2] for c in recorder.calls] == [e["trigger"] for e in events]
    times = [c[0] for c in recorder.calls]
    assert times == sorted(times) and times[0] >= machine.timestamp_start
    assert len(plain) == sum(e["trigger"] == "back" for e in events)
    assert machine.start(seed=3) == len(events) and recorder.closed == 1


def test_doge_style_factory_without_the_actor_still_works():
    class Factory:
        def __init__(self) -> None:
            self.made = 0

        def create(self) -> dict[str, int]:
            self.made += 1
            return {"user_id": self.made}

    factory = Factory()
    machine = StateMachine(["off", "on"], "off", factory, 5, 60_000, 100)
    machine.add_transition("login", "off", "on", 50)
    events = list(machine.events())
    assert factory.made == 5
    assert {e["user_id"] for e in events} == {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    "transitions, message",
    [
        ([("x", "a", "b", 60), ("y", "a", "a", 41)], "out of state 'a' sum to 101"),
        ([("x", "a", "z", 10)], "to_state of transition 'x' 'z' is not one"),
        ([("x", "a", "b", 10), ("x", "a", "a", 10)], "already has a transition 'x'"),
        ([("x", "a", "b", -1)], "has probability -1"),
    ],
)
def test_bad_transitions_get_one_line(transitions, message):
    machine = StateMachine(["a", "b"], "a")
    with pytest.raises(ConfigError) as error:
        for transition in transitions:
            machine.add_transition(*transition)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_an_unknown_initial_state_is_named():
    with pytest.raises(ConfigError, match="initial state 'x' is not one of"):
        StateMachine(["a"], "x")
