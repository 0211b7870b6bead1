"""The Starfleet documents: account, application, log-in."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone

import pytest

from datagen import create_provider
from document_providers.starfleet_application import DIVISIONS, RANKS, VESSELS
from document_providers.starfleet_login import TERMINALS
from tests.document_providers.formats import (
    assert_adult,
    assert_email,
    assert_uuid4,
    assert_within,
)

COMMUNICATOR = re.compile(r"^07\d{9}$")
CITIZEN_ID = re.compile(r"^[A-Z]{2}\d{3}[A-Z]{3}\d[A-Z]\d{3}[A-Z]$")  # @@###@@@#@###@
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def documents(name: str, count: int = 200, seed: int = 11, now: datetime = NOW):
    return create_provider(name, seed=seed, now=now).generate_many(count)


def test_account_fields_have_their_formats():
    for account in documents("starfleet_account"):
        assert list(account) == [
            "id",
            "stardate_of_birth",
            "subspace_address",
            "communicator",
            "surname",
            "forename",
            "title",
            "auth",
            "federation_citizen_id",
        ]
        assert_uuid4(account["id"])
        assert_email(account["subspace_address"])
        assert COMMUNICATOR.match(account["communicator"]), account["communicator"]
        assert CITIZEN_ID.match(account["federation_citizen_id"])
        assert_adult(account["stardate_of_birth"], NOW)
        assert account["auth"] == {"logins": []}
        for field in ("surname", "forename", "title"):
            assert isinstance(account[field], str) and account[field].strip()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2024, 2, 29, 23, 59, tzinfo=timezone.utc),  # a leap day
        datetime(2031, 12, 31, tzinfo=timezone.utc),
        datetime(1990, 6, 15, 12, tzinfo=timezone.utc),
    ],
)
def test_account_is_at_least_18_whatever_the_reference_time(now):
    births = [a["stardate_of_birth"] for a in documents("starfleet_account", now=now)]
    for born in births:
        assert_adult(born, now)
    assert len(set(births)) > 150  # spread out, not one date


def test_application_fields():
    for application in documents("starfleet_application"):
        assert_uuid4(application["id"])
        assert_uuid4(application["account_id"])
        assert_within(application["submitted_at"], NOW, 30 * 86400)
        assert application["division"] in DIVISIONS
        assert application["preferred_vessel"] in VESSELS
        assert application["requested_rank"] in RANKS
        scores = application["academy_scores"]
        assert set(scores) == {"tactics", "xenolinguistics", "warp_theory"}
        assert all(40 <= score <= 100 for score in scores.values())
        assert application["statement"].strip()
        assert application["status"] == "submitted"


def test_login_fields():
    logins = documents("starfleet_login")
    for login in logins:
        assert_uuid4(login["id"])
        assert_uuid4(login["account_id"])
        assert_within(login["attempted_at"], NOW, 86400)
        assert login["terminal"] in TERMINALS
        assert ipaddress.ip_address(login["ip_address"]).version == 4
    outcomes = [login["success"] for login in logins]
    assert set(outcomes) == {True, False}  # both happen
    assert 0.7 < sum(outcomes) / len(outcomes) < 0.97
