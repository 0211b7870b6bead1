"""The population: N actors with their profiles, from --profiles FILE or made anew."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.engine.actors import Actor, Profile, make_actor
from datagen.engine.profiles import create_profiles, load_profiles, save_profiles
from datagen.errors import ConfigError


@dataclass
class Population:
    """The actors of a run; save() writes their profiles (additions included)
    back to the profiles file, with any profiles beyond the run's actors."""

    actors: list[Actor]
    path: Path | None = None
    spare: list[dict[str, Any]] = field(default_factory=list)

    def profiles(self) -> list[dict[str, Any]]:
        """The actors' profiles, then the spare ones: what the file gets."""
        return [*(actor.profile for actor in self.actors), *self.spare]

    def save(self) -> None:
        """Write the profiles file, if the run has one."""
        if self.path is not None:
            save_profiles(self.path, self.profiles())

    def update(self, profiles: dict[int, dict[str, Any]]) -> None:
        """Take the profiles a worker process changed, by actor index."""
        for actor in self.actors:
            changed = profiles.get(actor.index)
            if changed is not None:
                dict.clear(actor.profile)
                dict.update(actor.profile, changed)


def build_population(
    seed: int,
    count: int | None,
    path: Path | None = None,
    locale: str = "en",
    with_profiles: bool = True,
    default_count: int = 100,
) -> Population:
    """count actors (the file's count, else default_count, when None).

    With a path: the file's profiles when it exists (grown with new ones, then
    saved, when count asks for more), else new profiles saved to it at once.
    Without profiles (with_profiles False, no path) actors get an empty profile.
    """
    if count is not None and count < 1:
        raise ConfigError(f"--actors must be at least 1, not {count}")
    profiles: list[dict[str, Any]] | None = None
    if path is not None:
        path = Path(path)
        saved = load_profiles(path) if path.exists() else []
        wanted = count if count is not None else (len(saved) or default_count)
        made = create_profiles(seed, wanted, start=len(saved), locale=locale)
        profiles = [*saved, *made]
        if len(profiles) != len(saved):
            save_profiles(path, profiles)
    else:
        wanted = count if count is not None else default_count
        if with_profiles:
            profiles = [*create_profiles(seed, wanted, locale=locale)]
    actors = [
        make_actor(seed, index, profiles[index] if profiles else Profile())
        for index in range(wanted)
    ]
    spare = profiles[wanted:] if profiles else []
    return Population(actors, path, spare)
