"""Actors: the simulated people or things, each with its own seeded randomness."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from datagen.seeding import derive_seed, random_uuid


class Profile(dict[str, Any]):
    """An actor's profile: a dict whose keys also read and write as attributes.

    `profile.first_name` and `profile["first_name"]` are the same value, and
    `profile.LastEvent = "A"` adds a key, so behaviour code written for
    faker-events' profiles works; additions persist for the run and are saved
    with --profiles. A missing attribute raises AttributeError. (The dict is its
    own __dict__, so attribute access costs what a plain object's does; a key
    named like a dict method hides the method: call dict.get(profile, ...).)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__ = self

    def __reduce__(self) -> Any:
        return (Profile, (dict(self),))


class ActorRandom(random.Random):
    """random.Random seeded with an int, without the instance dict that
    Random.seed() makes to hold gauss_next (336 bytes an actor, beside its
    2,500 bytes of state): the class's None serves until gauss() keeps one.
    Same numbers as random.Random(seed); pickled and copied as Random is."""

    gauss_next = None

    def __init__(self, seed: int | None = None) -> None:
        super(random.Random, self).seed(seed)  # the C seed Random.seed ends in


@dataclass(slots=True)
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
    rng = ActorRandom(derive_seed(run_seed, "actor", index))
    if not isinstance(profile, Profile):
        profile = Profile(profile or {})
    if "uuid" not in profile:
        uuid_rng = random.Random(derive_seed(run_seed, "actor-uuid", index))
        profile["uuid"] = random_uuid(uuid_rng)
    return Actor(index, rng, profile)


class LazyActors(Sequence[Actor]):
    """Actors made when they are read, of a model that needs no profiles or
    reads a few fields of created ones (`profiles`, made on read too).

    Actor i is make_actor(run_seed, i, profiles[i]) however it is reached
    (index, slice, iteration), so a run streams its population instead of
    holding a list of every actor (each has its own RNG state, about 2.5 kB)
    before the first event, and an actor its model lets go is freed. Made
    afresh on every read: nothing added to a profile is kept here.
    """

    def __init__(
        self,
        run_seed: int,
        indexes: range,
        profiles: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        self.run_seed = run_seed
        self.indexes = indexes
        self.profiles = profiles

    def __len__(self) -> int:
        return len(self.indexes)

    @overload
    def __getitem__(self, index: int) -> Actor: ...

    @overload
    def __getitem__(self, index: slice) -> LazyActors: ...

    def __getitem__(self, index: int | slice) -> Actor | LazyActors:
        if isinstance(index, slice):
            return LazyActors(self.run_seed, self.indexes[index], self.profiles)
        return self._make(self.indexes[index])

    def __iter__(self) -> Iterator[Actor]:
        return map(self._make, self.indexes)

    def _make(self, index: int) -> Actor:
        profiles = self.profiles
        profile = None if profiles is None else profiles[index]
        return make_actor(self.run_seed, index, profile)
