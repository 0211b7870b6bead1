"""The population: N actors with their profiles, from --profiles FILE or made anew.

A profiles file that exists is input: a run never writes its changes there
(it only appends new people, made from the seed, when --actors asks for more),
so the same seed and the same file give the same events every time. The
profiles as a run leaves them go to --profiles-out, or to the --profiles file
when this run is the one that creates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from datagen.engine.actors import Actor, LazyActors, Profile, make_actor
from datagen.engine.profiles import (
    PROFILE_BLOCK,
    ProfileColumns,
    create_profiles,
    load_profiles,
    save_profiles,
)
from datagen.errors import ConfigError

#: What Actor.id reads of a created profile (it has a uuid), kept in every one.
ID_FIELDS = ("uuid",)


@dataclass
class Population:
    """The actors of a run; save() writes their profiles (additions included),
    with any profiles beyond the run's actors, to `out`."""

    actors: list[Actor]
    path: Path | None = None
    spare: list[dict[str, Any]] = field(default_factory=list)
    #: Where save() writes the profiles; None: nowhere (the input is never
    #: rewritten behind the user's back).
    out: Path | None = None
    #: What arriving actors are made from: the run's seed, and the locale of
    #: their profiles (None: they get none, like the model's initial actors).
    seed: int = 0
    locale: str | None = None
    #: The profile fields kept, when the model reads only those and no
    #: profile is read or saved (see build_population); None: all of them.
    fields: tuple[str, ...] | None = None
    _block: tuple[int, Sequence[Profile]] = field(default=(-1, []), repr=False)

    def arrival(self, index: int) -> Actor:
        """Actor number index, arriving during the run: made from the seed as
        the initial ones are (its profile is not saved with theirs)."""
        if self.locale is None:
            return make_actor(self.seed, index)
        first = index - index % PROFILE_BLOCK
        if self._block[0] != first:  # made a block at a time, as ever
            stop, locale = first + PROFILE_BLOCK, self.locale
            made: Sequence[Profile] = (
                create_profiles(self.seed, stop, first, locale)
                if self.fields is None
                else ProfileColumns(self.seed, stop, first, locale, self.fields)
            )
            self._block = (first, made)
        return make_actor(self.seed, index, self._block[1][index - first])

    def profiles(self) -> list[dict[str, Any]]:
        """The actors' profiles, then the spare ones: what the file gets."""
        return [*(actor.profile for actor in self.actors), *self.spare]

    def save(self) -> None:
        """Write the profiles to `out`, if the run has one."""
        if self.out is not None:
            save_profiles(self.out, self.profiles())

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
    out: Path | None = None,
    fields: Sequence[str] | None = None,
) -> Population:
    """count actors (the file's count, else default_count, when None).

    With a path: the file's profiles when it exists (new ones appended to it
    at once when count asks for more; a run's changes are never written
    there), else new profiles saved to it at once, and the path becomes where
    the run's changes are saved unless `out` is given. `out`:
    where save() writes the profiles as the run leaves them. Without profiles
    (with_profiles False, no path) actors get an empty profile. `fields`:
    the profile fields the model reads (its profile_fields); when no profile
    is read or saved, only those (and Actor.id's) are kept, and actors are
    made when they are read (LazyActors): the model's actors are freed when
    it lets them go.
    """
    if count is not None and count < 1:
        raise ConfigError(f"--actors must be at least 1, not {count}")
    kept = None  # a profile read or saved keeps every field, as files have them
    if fields is not None and path is None and out is None:
        kept = tuple(dict.fromkeys([*ID_FIELDS, *fields]))
    profiles: list[dict[str, Any]] | None = None
    if path is not None:
        path = Path(path)
        saved = load_profiles(path) if path.exists() else []
        wanted = count if count is not None else (len(saved) or default_count)
        made = create_profiles(seed, wanted, start=len(saved), locale=locale)
        profiles = [*saved, *made]
        if out is None and not path.exists():
            out = path  # this run creates the file: nothing is overwritten
        if len(profiles) != len(saved):
            # new people only, made from the seed: the file's own are kept as
            # they are, and a rerun loads the same people as this run plays
            save_profiles(path, profiles)
    else:
        wanted = count if count is not None else default_count
        if with_profiles and kept is not None:
            columns = ProfileColumns(seed, wanted, 0, locale, kept)
            lazy = LazyActors(seed, range(wanted), columns)
            return Population(
                cast("list[Actor]", lazy), seed=seed, locale=locale, fields=kept
            )
        if with_profiles:
            profiles = [*create_profiles(seed, wanted, locale=locale)]
    actors = [
        make_actor(seed, index, profiles[index] if profiles else Profile())
        for index in range(wanted)
    ]
    spare = profiles[wanted:] if profiles else []
    if out is not None:
        out = Path(out)
        if out.parent and not out.parent.exists():
            raise ConfigError(
                f"--profiles-out '{out}': folder '{out.parent}' is missing"
            )
    locale_of_arrivals = locale if (with_profiles or path is not None) else None
    return Population(actors, path, spare, out, seed, locale_of_arrivals)
