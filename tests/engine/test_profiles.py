"""Profiles: the listed fields, seeded blocks, and a --profiles file reused."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from datagen.engine.population import build_population
from datagen.engine.profiles import PROFILE_FIELDS, create_profiles
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError


def test_every_profile_has_the_fields_in_order() -> None:
    profiles = create_profiles(7, 50)
    assert all(list(profile) == PROFILE_FIELDS for profile in profiles)
    assert len({profile["uuid"] for profile in profiles}) == 50
    assert [profile["id"] for profile in profiles[:3]] == ["1000", "1001", "1002"]
    first = profiles[0]
    assert first.email == first["email"] and "@" in first.email
    assert first.gender in ("male", "female")
    assert first.birthdate[:2] in ("19", "20")


def test_a_profile_is_the_same_whichever_range_makes_it() -> None:
    whole = create_profiles(7, 2500)
    assert create_profiles(7, 2500, start=1900) == whole[1900:]
    assert create_profiles(7, 10) == whole[:10]
    assert create_profiles(8, 10) != whole[:10]


def test_profiles_file_is_created_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    first = Simulation("customers", actors=20, seed=1, profiles=path)
    events = list(first.run(count=60))
    assert path.exists()
    saved = orjson.loads(path.read_bytes())
    assert len(saved) == 20
    buyers = {event["customer_id"] for event in events if "order_id" in event}
    # purchases add attributes to the profile; they are saved with it
    assert buyers and all(
        person.get("orders", 0) >= 1 for person in saved if person["id"] in buyers
    )
    # another seed, same file: the same people, not new ones
    again = Simulation("customers", actors=20, seed=99, profiles=path)
    people = [actor.profile for actor in again.population.actors]
    assert [p["uuid"] for p in people] == [p["uuid"] for p in saved]
    assert [p["first_name"] for p in people] == [p["first_name"] for p in saved]


def test_a_file_grows_when_more_actors_are_asked(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    build_population(3, 5, path)
    population = build_population(3, 8, path)
    assert len(orjson.loads(path.read_bytes())) == 8
    assert [a.profile for a in population.actors] == create_profiles(3, 8)
    # fewer actors than the file holds: the rest are kept when saving
    smaller = build_population(3, 2, path)
    smaller.save()
    assert len(orjson.loads(path.read_bytes())) == 8


def test_actors_default_to_the_files_count(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    build_population(3, 12, path)
    assert len(build_population(3, None, path).actors) == 12


def test_profiles_saved_after_a_run_with_workers(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    simulation = Simulation("customers", actors=10, seed=4, profiles=path)
    window = simulation.window(duration="3h")
    for _ in simulation.batches(window, workers=2):
        pass
    saved = orjson.loads(path.read_bytes())
    assert sum(person.get("orders", 0) for person in saved) > 0


def test_profiles_saved_after_an_early_stop_with_workers(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    simulation = Simulation("customers", actors=40, seed=4, profiles=path)
    window = simulation.window(duration="30d")
    events = [e for b in simulation.batches(window, 2, count=300) for e in b.events()]
    assert len(events) == 300
    saved = {person["id"]: person for person in orjson.loads(path.read_bytes())}
    for event in events:
        if event["event_type"] == "purchase":
            assert saved[event["customer_id"]]["orders"] >= event["customer_orders"]


@pytest.mark.parametrize(
    "content, message",
    [(b"{not json", "is not JSON"), (b'{"a": 1}', "JSON array of objects")],
)
def test_a_broken_profiles_file_is_named(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "people.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=f"people.json.*{message}"):
        build_population(1, 3, path)
