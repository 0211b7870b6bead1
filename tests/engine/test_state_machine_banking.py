"""`banking`: doge-datagen's bank-app user; its rules hold and sinks see the events."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest

from datagen.engine.actors import make_actor
from datagen.engine.model import SIMULATIONS, Window
from datagen.engine.runner import run_actors
from datagen.engine.simulations.banking import CREDIT_LIMIT, LOAN_AMOUNT, Banking
from datagen.engine.models.state_machine import Transition
from datagen.errors import ConfigError

START = 1_735_689_600.0
MONTH = 30 * 86_400


def stream(model: Banking, actors: int, seconds: float, seed: int = 11) -> list:
    window = Window(START, START + seconds)
    actor_list = (make_actor(seed, index) for index in range(actors))
    return [k[3] for k in run_actors(model, actor_list, window)]


def test_banking_is_registered_with_a_one_minute_tick():
    model = SIMULATIONS.get("banking")()
    assert isinstance(model, Banking) and model.tick_seconds == 60
    assert set(model.states) == {"offline", "online", "loan_screen"}


def test_events_name_the_transition_and_the_users_balances():
    events = stream(Banking(), 200, 86_400)
    assert list(events[0]) == [
        "timestamp",
        "trigger",
        "from_state",
        "to_state",
        "user_id",
        "balance",
        "loan_balance",
    ]
    triggers = Counter(e["trigger"] for e in events)
    assert {"login", "logout", "open_loan_screen", "spending"} <= set(triggers)
    assert all(e["timestamp"].endswith(":00.000Z") for e in events)


def test_loans_are_refused_past_the_credit_limit_and_balances_stay_positive():
    model = Banking()
    (loan,) = [t for t in model.transitions["loan_screen"] if t.trigger == "take_loan"]
    answers: Counter[bool] = Counter()
    rule = loan.action_callback

    def counted(user: Any, transition: Transition) -> bool:
        answer = rule(user, transition)
        answers[answer] += 1
        return answer

    loan.action_callback = counted
    events = stream(model, 300, 3 * MONTH)
    assert answers[False] > 20 and answers[True] > 100
    loans = Counter(e["user_id"] for e in events if e["trigger"] == "take_loan")
    assert max(loans.values()) == CREDIT_LIMIT // LOAN_AMOUNT
    assert max(e["loan_balance"] for e in events) == CREDIT_LIMIT
    assert min(e["balance"] for e in events) >= 0


def test_balances_change_only_by_their_callbacks():
    before: dict[str, tuple[int, int]] = {}
    for event in stream(Banking(), 100, MONTH):
        balance, loan = event["balance"], event["loan_balance"]
        old_balance, old_loan = before.get(event["user_id"], (balance, loan))
        change, trigger = balance - old_balance, event["trigger"]
        if event["user_id"] in before:
            expected = {
                "income": 500 <= change < 2000,
                "spending": -100 < change <= -10,
                "take_loan": change == loan - old_loan == LOAN_AMOUNT,
            }
            assert expected.get(trigger, change == 0 and loan == old_loan), event
        before[event["user_id"]] = (balance, loan)


def test_sinks_see_each_user_as_the_event_shows_it_in_stream_order():
    seen: list[tuple[Any, ...]] = []

    def sink(timestamp: int, user: Any, transition: Transition) -> None:
        seen.append((transition.trigger, user.user_id, user.balance, user.loan_balance))

    model = Banking(event_sinks=[sink])
    events = stream(model, 300, 7 * 86_400)
    expected = [
        (e["trigger"], e["user_id"], e["balance"], e["loan_balance"]) for e in events
    ]
    assert seen == expected and len(expected) > 5000


def test_doge_style_run_on_its_own():
    model = Banking(subjects_num=50, ticks_num=2000)
    events = list(model.events(seed=5))
    assert model.start(seed=5) == len(events) > 100
    per_user = defaultdict(list)
    for event in events:
        per_user[event["user_id"]].append(event["timestamp"])
    assert len(per_user) <= 50
    assert all(times == sorted(times) for times in per_user.values())


def test_a_config_file_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="banking: --config x.yml is not used"):
        SIMULATIONS.get("banking")(config="x.yml")
