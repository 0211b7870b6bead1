"""`cdc`: entities created, changed and deleted over time, as change events.

Each actor is one entity (a customer, an account): created (`op: c`), then
updated (`u`) every `update_every` seconds and deleted (`d`) after
`delete_after` seconds, both on average (exponential waits drawn from the
actor's own RNG, so the stream is the same whatever `--workers`). Every event
carries the key, a per-key `version` (1 at the create, one more per change),
`event_time`, and the whole record: as it is after a create or update, as it
was for a delete, so a sink that upserts by key holds the right row even when
it never saw the key's create. With `envelope="debezium"` each event is a
Debezium-like envelope instead (`before`, `after`, `op`, `ts_ms`, `source`).
What the entity's fields are is the Entity's business (the built-in
customers, a declared `model: cdc`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol


from datagen.engine.actors import Actor
from datagen.engine.model import Emission, Window
from datagen.errors import ConfigError, ProviderError
from datagen.files.settings import read_mapping
from datagen.timefmt import parse_duration

ENVELOPES = ("flat", "debezium")
#: Draws of an update that changes nothing before it is kept as it is.
_TRIES = 3
#: The fields every event has besides the entity's own (and `op` when flat).
VERSION, EVENT_TIME = "version", "event_time"


@dataclass(frozen=True)
class Changes:
    """How often entities change: mean waits in seconds (None: never)."""

    key_field: str = "id"
    #: mean wait of an initial entity's create after the run's start (an
    #: entity that arrives during the run is created on arrival)
    first_after: float = 60.0
    update_every: float | None = 600.0
    delete_after: float | None = 18_000.0
    envelope: str = "flat"
    #: the `source.table` of an envelope
    table: str = "entities"

    def __post_init__(self) -> None:
        if self.envelope not in ENVELOPES:
            raise ConfigError(
                f"envelope must be {' or '.join(ENVELOPES)}, not {self.envelope!r}"
            )
        for name in ("first_after", "update_every", "delete_after"):
            value = getattr(self, name)
            if value is not None and not (value > 0 and math.isfinite(value)):
                raise ConfigError(f"{name} must be a positive time, not {value!r}")


class Entity(Protocol):
    """The fields of one kind of entity."""

    def create(self, actor: Actor, moment: float, window: Window) -> dict[str, Any]:
        """The new entity's fields (its key among them, unless the model's
        key is the actor's number)."""
        ...

    def update(
        self, actor: Actor, record: Mapping[str, Any], moment: float, window: Window
    ) -> Mapping[str, Any]:
        """The fields an update changes (the key never among them)."""
        ...


class EntityChanges:
    """The behaviour model: one entity per actor, its changes as events."""

    default_duration: float | None = 3600.0

    def __init__(
        self,
        entity: Entity,
        changes: Changes,
        name: str,
        description: str,
        *,
        needs_profiles: bool = True,
        default_actors: int = 100,
    ) -> None:
        self.entity = entity
        self.changes = changes
        self.name = name
        self.description = description
        self.needs_profiles = needs_profiles
        self.default_actors = default_actors
        # what the run's record, faults and checks read (see the contracts)
        self.key_field = changes.key_field
        flat = changes.envelope == "flat"
        self.time_field = EVENT_TIME if flat else "ts_ms"
        self.actor_field = changes.key_field if flat else None

    def default_arrivals(self, actors: int, window: Window) -> float:
        """New entities a second that replace the deleted ones: the population
        holds steady (none arrive when nothing is deleted)."""
        lifetime = self.changes.delete_after
        return 0.0 if lifetime is None else actors / lifetime

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        changes, rng, iso = self.changes, actor.rng, window.iso
        speed = window.intensity
        moment = window.start
        if not window.arrival:
            moment += rng.expovariate(speed / changes.first_after)
        key_field = changes.key_field
        made = self.entity.create(actor, moment, window)
        key = made.get(key_field)
        if key is None:
            raise ProviderError(f"{self.name}: a new entity has no key '{key_field}'")
        image = {key_field: key, VERSION: 1, EVENT_TIME: iso(moment)}
        image.update((name, value) for name, value in made.items() if name != key_field)
        yield moment, self._event("c", None, image, moment)
        updates = 0.0 if changes.update_every is None else 1 / changes.update_every
        deletes = 0.0 if changes.delete_after is None else 1 / changes.delete_after
        if updates + deletes == 0:
            return
        delete_share = deletes / (updates + deletes)
        version = 1
        while True:
            moment += rng.expovariate((updates + deletes) * speed)
            version += 1
            stamp = {VERSION: version, EVENT_TIME: iso(moment)}
            if rng.random() < delete_share:
                yield moment, self._event("d", image, {**image, **stamp}, moment)
                return
            changed = self._update(actor, image, moment, window)
            after = {**image, **changed, **stamp}
            after[key_field] = key
            yield moment, self._event("u", image, after, moment)
            image = after

    def _update(
        self, actor: Actor, image: dict[str, Any], moment: float, window: Window
    ) -> Mapping[str, Any]:
        """The entity's update; drawn again (a few times at most) while it
        changes nothing, as a choice of few values may draw the same one."""
        for _ in range(_TRIES):
            changed = self.entity.update(actor, image, moment, window)
            if any(image.get(name) != value for name, value in changed.items()):
                break
        return changed

    def _event(
        self,
        op: str,
        before: dict[str, Any] | None,
        after: dict[str, Any],
        moment: float,
    ) -> dict[str, Any]:
        """The event of one change: flat (`after` with `op`, for a delete the
        record as it was, newly versioned), or the envelope."""
        if self.changes.envelope == "flat":
            return {"op": op, **after}
        stamp = round(moment * 1000)
        return {
            "before": before,
            "after": None if op == "d" else after,
            "op": op,
            "ts_ms": stamp,
            "source": {
                "connector": "datagen",
                "name": self.name,
                "table": self.changes.table,
                "ts_ms": stamp,
            },
        }


#: The keys a --config file of a CDC simulation may set.
CONFIG_KEYS = ("envelope", "first_after", "update_every", "delete_after")


def changes_from_config(path: str | Path, changes: Changes) -> Changes:
    """changes with what the YAML (or JSON) file at path sets: envelope (flat
    or debezium), first_after, update_every, delete_after (a time such as
    10m or 2h, or null for never). ConfigError naming the file and key."""
    where = Path(path)
    data = read_mapping(where)
    if not data:
        return changes
    unknown = sorted(set(map(str, data)) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigError(
            f"--config '{where}': unknown setting '{unknown[0]}' "
            f"(known: {', '.join(CONFIG_KEYS)})"
        )
    settings: dict[str, Any] = {}
    for name, value in data.items():
        if name == "envelope":
            settings[name] = value
        elif value is None and name != "first_after":
            settings[name] = None
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            settings[name] = float(value)
        else:
            settings[name] = parse_duration(str(value), f"--config '{where}': {name}")
    try:
        return replace(changes, **settings)
    except ConfigError as exc:
        raise ConfigError(f"--config '{where}': {exc}") from None
