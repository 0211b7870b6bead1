"""Actors: the simulated people or things, each with its own seeded randomness."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from datagen.seeding import derive_seed, random_uuid


@dataclass
class Actor:
    """One actor: index in the population, seeded RNG, and a profile that
    behaviour code may extend (additions persist for the run)."""

    index: int
    rng: random.Random
    profile: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.profile.get("uuid") or self.profile.get("id") or self.index)


def make_actor(
    run_seed: int, index: int, profile: dict[str, Any] | None = None
) -> Actor:
    """Actor number index: its RNG depends on the run's seed and index only,
    which is what keeps --workers from changing a stream."""
    rng = random.Random(derive_seed(run_seed, "actor", index))
    actor = Actor(index, rng, dict(profile or {}))
    actor.profile.setdefault(
        "uuid", random_uuid(random.Random(derive_seed(run_seed, "actor-uuid", index)))
    )
    return actor
