"""Journeys: step delays and offsets, the files they become, and the built-ins."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from datagen import ConfigError, JourneyProvider, ProviderError, create_journey_provider
from datagen.timefmt import DEFAULT_START
from datagen.files.journey_archive import write_journey
from tests.document_providers.formats import assert_uuid4, parse_time

SCHEMA_PATH = (
    Path(__file__).resolve().parent.parent
    / "datagen"
    / "schemas"
    / "journey_metadata.schema.json"
)
SEEDS = range(40)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


class Branching(JourneyProvider, abstract=True):
    """Delays of every kind, some counted from an earlier step."""

    name = "branching"
    # (delay, delay_from_step_index) per step
    PLAN = [
        (None, None),
        ([5, 10], None),
        ([0, 0], None),
        ([100, 200], 0),
        ([1, 3], 1),
        ([7, 7], None),
        ([50, 60], 2),
    ]

    def create_journey(self) -> None:
        for index, (delay, base) in enumerate(self.PLAN):
            self.add_step("cart", {"step": index}, delay, delay_from_step_index=base)


@pytest.mark.parametrize("seed", SEEDS)
def test_delays_stay_in_their_ranges_and_offsets_count_from_the_base(seed):
    journey = Branching(seed=seed)
    metadata = journey.generate()
    steps = metadata["steps"]
    assert [s["index"] for s in steps] == list(range(len(Branching.PLAN)))
    for step, (delay, base) in zip(steps, Branching.PLAN):
        low, high = delay or (0, 0)
        assert low <= step["delay_seconds"] <= high
        assert step["delay_from_step_index"] == base
        if base is not None:
            expected = steps[base]["offset_seconds"] + step["delay_seconds"]
        elif step["index"]:
            expected = (
                steps[step["index"] - 1]["offset_seconds"] + step["delay_seconds"]
            )
        else:
            expected = 0
        assert step["offset_seconds"] == expected
        moment = journey.started_at + timedelta(seconds=expected)
        assert parse_time(step["timestamp"]) == moment
        assert journey.time_of(step["index"]) == moment


def test_delays_cover_their_ranges():
    drawn = {
        Branching(seed=seed).generate()["steps"][1]["delay_seconds"]
        for seed in range(200)
    }
    assert drawn == set(range(5, 11))


def test_a_step_counted_from_a_later_step_can_come_earlier():
    """delay_from_step_index puts step 4 at step 1's offset + 1..3 s, which is
    before step 3 (step 0 + 100..200 s): index order is not time order."""
    steps = Branching(seed=1).generate()["steps"]
    assert steps[4]["offset_seconds"] < steps[3]["offset_seconds"]


@pytest.mark.parametrize(
    "delay, base, message",
    [
        ([5, 1], None, r"delay must be \[lo, hi\] whole seconds"),
        ([-1, 3], None, r"0 <= lo <= hi, not \[-1, 3\]"),
        ([1.5, 3], None, "whole seconds"),
        ([1, 2, 3], None, "delay must be"),
        ([1, 2], 5, "delay_from_step_index 5 names no earlier step"),
        ([1, 2], -1, "delay_from_step_index -1 names no earlier step"),
    ],
)
def test_bad_steps_are_provider_errors(delay, base, message):
    class Bad(JourneyProvider, abstract=True):
        name = "bad"

        def create_journey(self) -> None:
            self.add_step("cart", {})
            self.add_step("cart", {}, delay, delay_from_step_index=base)

    with pytest.raises(ProviderError, match=message):
        Bad().generate()


def test_user_id_and_start_come_from_the_seed():
    journeys = [create_journey_provider("starfleet", seed=seed) for seed in SEEDS]
    for journey in journeys:
        assert_uuid4(journey.user_id)
        assert DEFAULT_START <= journey.started_at < DEFAULT_START + timedelta(days=1)
    assert len({j.user_id for j in journeys}) == len(journeys)
    again = create_journey_provider("starfleet", seed=3)
    assert (again.user_id, again.started_at) == (
        journeys[3].user_id,
        journeys[3].started_at,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_starfleet_account_application_and_logins_fit_together(seed):
    journey = create_journey_provider("starfleet", seed=seed)
    steps = journey.generate()["steps"]
    documents = [step.document for step in journey.steps]
    types = [step["document_type"] for step in steps]
    assert types[0] == "starfleet_account" and documents[0]["id"] == journey.user_id
    assert types[1] == "starfleet_login"
    application_index = types.index("starfleet_application")
    application = steps[application_index]
    assert application["delay_from_step_index"] == 1  # the first log-in
    assert 600 <= application["delay_seconds"] <= 86400
    assert (
        application["offset_seconds"]
        == steps[1]["offset_seconds"] + application["delay_seconds"]
    )
    assert documents[application_index]["account_id"] == journey.user_id
    assert documents[application_index]["submitted_at"] == application["timestamp"]
    for step, document in zip(steps, documents):
        if step["document_type"] == "starfleet_login":
            assert document["account_id"] == journey.user_id
            assert document["attempted_at"] == step["timestamp"]
    assert 60 <= steps[1]["delay_seconds"] <= 3600
    assert 4 <= len(steps) <= 6


@pytest.mark.parametrize("seed", SEEDS)
def test_ecommerce_documents_share_their_ids(seed):
    journey = create_journey_provider("ecommerce", seed=seed)
    steps = journey.generate()["steps"]
    assert [s["document_type"] for s in steps] == [
        "customer",
        "cart",
        "order",
        "payment",
        "shipment",
    ]
    customer, cart, order, payment, shipment = (s.document for s in journey.steps)
    assert customer["id"] == journey.user_id
    assert cart["customer_id"] == order["customer_id"] == customer["id"]
    assert payment["customer_id"] == customer["id"]
    assert order["items"] == cart["items"]
    assert payment["order_id"] == shipment["order_id"] == order["id"]
    assert payment["amount"] == order["total"] and payment["status"] == "captured"
    assert shipment["address"] == customer["address"]
    times = [parse_time(s["timestamp"]) for s in steps]
    assert times == sorted(times)
    assert [
        customer["created_at"],
        cart["updated_at"],
        order["placed_at"],
        payment["paid_at"],
        shipment["shipped_at"],
    ] == [s["timestamp"] for s in steps]
    assert 3600 <= steps[4]["delay_seconds"] <= 3 * 86400


@pytest.mark.parametrize("provider", ["starfleet", "ecommerce"])
def test_zip_content_matches_the_metadata(provider, make_journeys, validator):
    folder = make_journeys(provider, 5)
    for zip_path in sorted(folder.glob("*.zip")):
        metadata_path = zip_path.with_suffix(".json")
        metadata = json.loads(metadata_path.read_text())
        validator.validate(metadata)
        assert zip_path.stem == f"{provider}_{metadata['user_id']}"
        with zipfile.ZipFile(zip_path) as archive:
            assert archive.testzip() is None
            names = archive.namelist()
            assert names == [step["filename"] for step in metadata["steps"]]
            assert names == [
                f"{s['index']:03d}_{s['document_type']}.json" for s in metadata["steps"]
            ]
            documents = [json.loads(archive.read(name)) for name in names]
        assert all(isinstance(document, dict) and document for document in documents)


def test_the_schema_rejects_what_replay_could_not_read(make_journeys, validator):
    folder = make_journeys("starfleet", 1)
    good = json.loads(next(folder.glob("*.json")).read_text())
    validator.validate(good)
    step = good["steps"][0]
    broken = [
        {k: v for k, v in good.items() if k != "user_id"},
        {**good, "user_id": "not-a-uuid"},
        {**good, "steps": []},
        {**good, "started_at": "yesterday"},
        {**good, "metadata_version": 2},
        {**good, "surprise": True},
        {**good, "steps": [{**step, "offset_seconds": -1}]},
        {**good, "steps": [{**step, "delay_seconds": 1.5}]},
        {**good, "steps": [{**step, "filename": "../evil.json"}]},
        {**good, "steps": [{k: v for k, v in step.items() if k != "timestamp"}]},
        {**good, "steps": [{**step, "timestamp": "2025-13-01T00:00:00Z"}]},
    ]
    for metadata in broken:
        assert not validator.is_valid(metadata), metadata


def test_a_journey_name_with_a_path_is_refused(tmp_path):
    class Escaping(JourneyProvider, abstract=True):
        name = "../../escape"

        def create_journey(self) -> None:
            self.add_step("cart", {})

    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    with pytest.raises(ConfigError, match="cannot be used in a file name"):
        Escaping().publish_journey(folder)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_user_id_with_a_path_is_refused(tmp_path):
    journey = create_journey_provider("starfleet", seed=1)
    journey.generate()
    journey.user_id = "../../../tmp/owned"
    with pytest.raises(
        ConfigError, match="journey name 'starfleet_../../../tmp/owned'"
    ):
        write_journey(journey.record(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_publish_journey_writes_the_zip_and_metadata(tmp_path):
    journey = create_journey_provider("ecommerce", seed=9)
    zip_path = journey.publish_journey(tmp_path)
    assert zip_path == tmp_path / f"ecommerce_{journey.user_id}.zip"
    metadata = json.loads(zip_path.with_suffix(".json").read_text())
    assert metadata == journey.journey_metadata
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [zip_path.name, zip_path.with_suffix(".json").name]
    )


def test_publish_journey_creates_a_missing_folder(tmp_path):
    folder = tmp_path / "not" / "yet"
    zip_path = create_journey_provider("starfleet", seed=3).publish_journey(folder)
    assert zip_path.parent == folder and zip_path.exists()
    assert zip_path.with_suffix(".json").exists()


def test_journeys_taking_turns_get_the_documents_they_would_get_alone():
    """Journeys share document providers (set-up is costly); interleaving two
    journeys' draws must not change either one's documents."""
    now = datetime(2025, 6, 1, tzinfo=timezone.utc)
    alone = []
    for seed in (1, 2):
        journey = create_journey_provider("starfleet", seed=seed, now=now)
        alone.append([journey.document("starfleet_login") for _ in range(3)])
    first = create_journey_provider("starfleet", seed=1, now=now)
    second = create_journey_provider("starfleet", seed=2, now=now)
    turns: list[list[dict]] = [[], []]
    for _ in range(3):
        turns[0].append(first.document("starfleet_login"))
        turns[1].append(second.document("starfleet_login"))
    assert turns == alone
    assert alone[0] != alone[1]
