"""Large populations: what an actor costs, and the same stream however it is held.

The runner's agenda, wake-ups, actors made when read with only the profile
fields a model reads: each must leave the events as they were, and the
memory an actor takes must not creep back (issue 15: 9 KiB a web user).
"""

from __future__ import annotations

import heapq
import json
import math
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import pytest

from datagen.engine.actors import Actor, ActorRandom, LazyActors, make_actor
from datagen.engine.model import Window
from datagen.engine.population import build_population
from datagen.engine.profiles import PROFILE_FIELDS, ProfileColumns, create_profiles
from datagen.engine.runner import BUCKET_SECONDS, Agenda, run_actors
from datagen.engine.simulation import Simulation

ROOT = Path(__file__).resolve().parents[2]
START = 1_735_689_600.0  # 2025-01-01T00:00:00Z


class Resting:
    """Bursts of events at random times, a wake-up before each, some at the
    same moment, some days apart: what the agenda and wake-ups must order."""

    name: ClassVar[str] = "resting"
    description: ClassVar[str] = "bursts of events, resting in between"
    profile_fields = ("email",)

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Any]:
        rng, email, who = actor.rng, actor.profile.get("email"), actor.id
        del actor  # let go: a lazily made actor is freed
        moment = window.start
        while True:
            moment += rng.choice([0.0, 0.5, 30.0, 3600.0, 2 * 86_400.0 * rng.random()])
            yield moment, None
            for burst in range(rng.randrange(4)):
                yield moment, {"burst": burst, "email": email, "id": who}
                moment += rng.choice([0.0, BUCKET_SECONDS, 10.0 * rng.random()])


def alone(model: Any, actor: Actor, window: Window) -> list[tuple[Any, ...]]:
    """One actor's keyed events, run by itself: what the merge must keep."""
    keyed, sequence = [], 0
    for moment, event in model.actor_events(actor, window):
        if moment >= window.end:
            break
        if event is not None:
            keyed.append((moment, actor.index, sequence, event))
            sequence += 1
    return keyed


def test_the_merge_is_every_actors_events_sorted_by_key() -> None:
    model, window = Resting(), Window(START, START + 5 * 86_400.0)
    actors = [make_actor(3, index, {"email": f"{index}@x"}) for index in range(300)]
    expected = sorted(
        (entry for actor in actors for entry in alone(model, actor, window)),
        key=lambda entry: entry[:3],
    )
    again = [make_actor(3, index, {"email": f"{index}@x"}) for index in range(300)]
    merged = list(run_actors(model, again, window))
    assert len(merged) > 3000
    assert merged == expected  # wake-ups emit nothing and take no sequence


def test_the_agenda_sifts_only_the_current_bucket() -> None:
    agenda, rng = Agenda(), random.Random(1)
    for index in range(50_000):  # everyone due within a day
        agenda.push((START + rng.random() * 86_400.0, index, 0, None, None))
    assert agenda.refill()
    assert len(agenda.near) < 100  # about 37 in 64 s, not 50,000
    taken, pushed = [], 50_000
    while agenda.refill():
        taken.append(heapq.heappop(agenda.near))
        if len(taken) % 7 == 0:  # later work joins as the merge goes on
            moment = taken[-1][0] + rng.choice([0.0, 1.0, 5000.0])
            agenda.push((moment, 100_000 + len(taken), 0, None, None))
            pushed += 1
    assert taken == sorted(taken) and len(taken) == pushed


def test_an_actor_random_is_random_random_without_its_dict() -> None:
    ours, theirs = ActorRandom(2**64 - 59), random.Random(2**64 - 59)
    assert [ours.random() for _ in range(5)] == [theirs.random() for _ in range(5)]
    assert ours.gauss(0, 1) == theirs.gauss(0, 1)
    assert ours.getstate() == theirs.getstate()
    assert ours.randrange(10**30) == theirs.randrange(10**30)
    assert vars(ActorRandom(1)) == {}  # gauss_next: the class's None
    assert not hasattr(make_actor(1, 2), "__dict__")  # Actor has slots


def test_profile_columns_are_the_created_profiles_fields() -> None:
    whole = create_profiles(7, 2300)
    columns = ProfileColumns(7, 2300, 1200, "en", ("uuid", "email", "no_such"))
    assert len(columns) == 1100 and columns.fields == ("uuid", "email")
    assert columns[0] == {"uuid": whole[1200]["uuid"], "email": whole[1200]["email"]}
    assert columns[-1]["email"] == whole[-1]["email"] and columns[5]["email"]
    assert [p["uuid"] for p in columns[10:13]] == [p["uuid"] for p in whole[1210:1213]]
    with pytest.raises(IndexError):
        columns[1100]


def test_a_model_reading_few_fields_gets_them_and_lazily_made_actors() -> None:
    population = build_population(5, 1500, fields=("email",))
    assert isinstance(population.actors, LazyActors)
    actor, full = population.actors[1234], create_profiles(5, 1500)[1234]
    assert dict(actor.profile) == {"uuid": full["uuid"], "email": full["email"]}
    assert (
        actor.id == full["uuid"]
        and actor.rng.random() == make_actor(5, 1234).rng.random()
    )
    assert [a.index for a in population.actors[3::500]] == [3, 503, 1003]
    arriving = population.arrival(2100)  # arrivals keep the same fields
    assert set(arriving.profile) == {"uuid", "email"}
    assert arriving.profile["email"] == create_profiles(5, 2101)[2100]["email"]


def test_a_saved_population_keeps_every_field(tmp_path: Path) -> None:
    out = tmp_path / "people.json"
    saved = build_population(5, 20, fields=("email",), out=out)
    assert list(saved.actors[0].profile) == PROFILE_FIELDS
    read = build_population(5, 20, tmp_path / "new.json", fields=("email",))
    assert list(read.actors[0].profile) == PROFILE_FIELDS


def test_the_stream_is_the_same_with_few_fields_or_all(tmp_path: Path) -> None:
    def lines(**options: Any) -> list[bytes]:
        simulation = Simulation(Resting(), actors=250, seed=9, **options)
        window = simulation.window(duration="3d", arrivals=0.002)
        return [line for batch in simulation.batches(window) for line in batch.lines()]

    few = lines()
    assert len(few) > 2000
    assert lines(profiles_out=tmp_path / "all.json") == few


MEMORY = """
import gc, json, sys, tracemalloc
from datagen.engine.profiles import create_profiles
from datagen.engine.simulation import Simulation
from datagen.engine.simulations.web import web
sys.path.insert(0, sys.argv[1])
from test_population_scale import Resting

def per_actor(model, actors=5_000, days=1):
    simulation = Simulation(model, actors=actors, seed=1)
    window = simulation.window(duration=days * 86_400)
    gc.collect()
    tracemalloc.start()
    simulation.population
    stream = simulation.keyed(window)
    for _ in zip(range(2 * actors), stream):
        pass
    gc.collect()
    figure = tracemalloc.get_traced_memory()[0] // actors
    tracemalloc.stop()
    return figure

create_profiles(1, 1)  # Mimesis's data sets, loaded once whatever the population
reading_email = web()
reading_email.profile_fields = ("email",)  # as web declares
print(json.dumps({
    "resting": per_actor(Resting(), days=100),  # none done when measured
    "web": per_actor(web()),
    "web reading email": per_actor(reading_email),
}))
"""


@lru_cache(maxsize=1)
def bytes_per_actor() -> dict[str, int]:
    """Memory an actor takes (tracemalloc, 5,000 actors, population made and
    2 events an actor played), in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", MEMORY, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    figures: dict[str, int] = json.loads(done.stdout)
    return figures


def test_an_actor_at_rest_costs_little_more_than_its_random_state() -> None:
    # 2,568 bytes of Mersenne Twister, a suspended generator (~450), the
    # agenda's entry, two strings: 3.3 KB (with a Random's dict, the Actor
    # and a person's 32 profile fields held by the population: 7.2 KB)
    assert bytes_per_actor()["resting"] < 3_600


def test_a_web_user_costs_less_than_it_did() -> None:
    # 9.2 KB a web user before issue 15, 8.8 KB with the engine's part alone:
    # the rest was the model's (a person's 32 profile fields, and the session
    # and next event it held between sessions). Reading only the email and
    # resting between sessions (a wake-up), a user takes 4.6 KB: its random
    # state, its fields and a suspended generator.
    figures = bytes_per_actor()
    assert figures["web"] < 5_000
    assert figures["web reading email"] < 5_000


def test_many_actors_limit_names_the_memory() -> None:
    from datagen.engine.simulation import MAX_ACTORS
    from datagen.errors import ConfigError

    with pytest.raises(ConfigError, match="memory"):
        Simulation("web", actors=MAX_ACTORS + 1)
    assert math.log10(MAX_ACTORS) >= 6
