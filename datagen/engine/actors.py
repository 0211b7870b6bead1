"""Actors: the simulated people or things, each with its own seeded randomness."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from datagen.seeding import derive_seed, random_uuid


class Profile(dict):  # type: ignore[type-arg]
    """An actor's profile: a dict whose keys also read and write as attributes.

    `profile.first_name` and `profile["first_name"]` are the same value, and
    `profile.LastEvent = "A"` adds a key, so behaviour code written for
    faker-events' profiles works; additions persist for the run and are saved
    with --profiles. A missing attribute raises AttributeError.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Actor:
    """One actor: index in the population, seeded RNG, and a profile that
    behaviour code may extend (additions persist for the run)."""

    index: int
    rng: random.Random
    profile: Profile = field(default_factory=Profile)

    @property
    def id(self) -> str:
        return str(self.profile.get("uuid") or self.profile.get("id") or self.index)


def make_actor(
    run_seed: int, index: int, profile: dict[str, Any] | None = None
) -> Actor:
    """Actor number index: its RNG depends on the run's seed and index only,
    which is what keeps --workers from changing a stream. The profile is used
    as given (a plain dict becomes a Profile), so additions reach its owner."""
    rng = random.Random(derive_seed(run_seed, "actor", index))
    if not isinstance(profile, Profile):
        profile = Profile(profile or {})
    if "uuid" not in profile:
        uuid_rng = random.Random(derive_seed(run_seed, "actor-uuid", index))
        profile["uuid"] = random_uuid(uuid_rng)
    return Actor(index, rng, profile)
