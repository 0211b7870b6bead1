"""`banking`: the bank-app user of doge-datagen's example, as a state machine.

Users are offline, online or on the loan screen. Income and spending change
the balance while offline (spending more than the balance is refused), users
log in and out, open and close the loan screen and take loans, which the
bank refuses beyond a credit limit. One tick is one minute.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.engine.actors import Actor
from datagen.engine.model import register_simulation
from datagen.engine.models.state_machine import StateMachine, Transition
from datagen.errors import ConfigError

LOAN_AMOUNT = 10_000
#: The most a user may owe: a loan that would take the loan balance past it is refused.
CREDIT_LIMIT = 20_000


@dataclass
class BankUser:
    """A subject: balances that the callbacks change, and the actor's RNG."""

    user_id: str
    balance: int
    loan_balance: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)


def create_user(actor: Actor) -> BankUser:
    return BankUser(actor.id, actor.rng.randrange(0, 1000), 0, actor.rng)


def receive_income(user: BankUser, transition: Transition) -> bool:
    user.balance += user.rng.randrange(500, 2000)
    return True


def spend(user: BankUser, transition: Transition) -> bool:
    """Refused (False) when the payment is more than the balance."""
    payment = user.rng.randrange(10, 100)
    if payment > user.balance:
        return False
    user.balance -= payment
    return True


def take_loan(user: BankUser, transition: Transition) -> bool:
    """Refused (False) when the loan would pass the credit limit."""
    if user.loan_balance + LOAN_AMOUNT > CREDIT_LIMIT:
        return False
    user.loan_balance += LOAN_AMOUNT
    user.balance += LOAN_AMOUNT
    return True


def user_fields(user: BankUser) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "balance": user.balance,
        "loan_balance": user.loan_balance,
    }


@register_simulation(
    "banking",
    "bank-app users (doge-datagen's example): logins, loan screen, loans refused "
    "past a credit limit, income and spending; 1-minute ticks",
)
class Banking(StateMachine):
    """The banking state machine; options as StateMachine's (tick_ms, ...)."""

    default_duration = 86_400.0
    default_actors = 100
    needs_profiles = False  # a user is its id and balances

    def __init__(
        self,
        subjects_num: int = 1000,
        ticks_num: int | None = None,
        tick_ms: int = 60_000,
        timestamp_start: int | None = None,
        event_sinks: Sequence[Any] = (),
        config: str | Path | None = None,
    ) -> None:
        if config is not None:
            raise ConfigError(
                f"banking: --config {config} is not used: the model is in code "
                "(datagen/engine/simulations/banking.py)"
            )
        super().__init__(
            ["offline", "online", "loan_screen"],
            "offline",
            create_user,
            subjects_num,
            tick_ms,
            ticks_num,
            timestamp_start,
            event_fields=user_fields,
        )
        add, sinks = self.add_transition, event_sinks
        add("income", "offline", "offline", 0.01, receive_income, sinks)
        add("spending", "offline", "offline", 0.1, spend, sinks)
        add("login", "offline", "online", 0.1, None, sinks)
        add("logout", "online", "offline", 70, None, sinks)
        add("open_loan_screen", "online", "loan_screen", 30, None, sinks)
        add("close_loan_screen", "loan_screen", "online", 40, None, sinks)
        add("take_loan", "loan_screen", "online", 10, take_loan, sinks)
