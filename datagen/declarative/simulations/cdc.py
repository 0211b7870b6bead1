"""`model: cdc`: entities created, updated and deleted, declared (the engine's
EntityChanges, datagen/engine/models/cdc.py).

```yaml
key: account_id            # the key field (default id)
envelope: flat             # or debezium
table: accounts            # an envelope's source.table (default: the name)
fields:                    # the entity's fields, as a document's
  account_id: {gen: sequence, start: 1}
  email: {gen: person.email}
changes:
  first_after: 1m          # mean wait of an initial entity's create
  update_every: 10m        # mean wait between updates (null: never)
  delete_after: 5h         # mean lifetime (null: never deleted)
  fields: [email, [street, city]]   # what an update draws anew: one item each
```

Fields are drawn from the actor's RNG with its number as a sequence's index,
so `gen: sequence` gives each entity its own key; a key that is not among the
fields is the actor's number plus one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from datagen.declarative.problems import FieldPath, Problems, unknown_keys
from datagen.declarative.simulations.common import (
    Fields,
    SeededField,
    compiled_fields,
    failed,
    identifier_at,
    mapping_at,
    seconds_at,
    text_at,
)
from datagen.engine.actors import Actor
from datagen.engine.model import Window
from datagen.engine.models.cdc import ENVELOPES, EVENT_TIME, VERSION, Changes
from datagen.engine.models.cdc import EntityChanges

KEYS = ("key", "envelope", "table", "fields", "changes")
CHANGE_KEYS = ("first_after", "update_every", "delete_after", "fields")
#: Field names every event has already.
RESERVED = ("op", VERSION, EVENT_TIME)


@dataclass
class DeclaredChanges:
    """A checked `model: cdc` declaration."""

    name: str
    description: str
    origin: str
    fields: Fields
    #: the key is the actor's number plus one (not among the fields)
    keyed_by_actor: bool
    groups: list[tuple[str, ...]]
    changes: Changes
    locale: str
    actors: int | None
    duration: float | None


class DeclaredEntity:
    """The declared fields as the engine's Entity."""

    def __init__(self, declared: DeclaredChanges) -> None:
        self.declared = declared
        self._field = SeededField(declared.locale)

    def _draw(self, actor: Actor, moment: float) -> dict[str, Any]:
        now = datetime.fromtimestamp(moment, timezone.utc)
        declared = self.declared
        try:
            return declared.fields.make(self._field, actor.rng, now, actor.index, {})
        except Exception as exc:
            raise failed(declared.origin, "fields", exc) from exc

    def create(self, actor: Actor, moment: float, window: Window) -> dict[str, Any]:
        made = self._draw(actor, moment)
        if self.declared.keyed_by_actor:
            return {self.declared.changes.key_field: actor.index + 1, **made}
        return made

    def update(
        self, actor: Actor, record: Mapping[str, Any], moment: float, window: Window
    ) -> dict[str, Any]:
        groups = self.declared.groups
        if not groups:
            return {}
        group = groups[0] if len(groups) == 1 else actor.rng.choice(groups)
        made = self._draw(actor, moment)
        return {name: made[name] for name in group}


def build_changes(declared: DeclaredChanges) -> EntityChanges:
    """The engine model of a checked declaration."""
    model = EntityChanges(
        DeclaredEntity(declared),
        declared.changes,
        declared.name,
        declared.description,
        needs_profiles=False,
        default_actors=declared.actors or 100,
    )
    if declared.duration is not None:
        model.default_duration = declared.duration
    return model


def compile_changes(
    data: Mapping[str, Any],
    problems: Problems,
    name: str,
    description: str,
    locale: str,
    origin: str,
    actors: int | None,
    duration: float | None,
) -> DeclaredChanges | None:
    """The checked declaration (every problem added), or None when it has any."""
    before = len(problems)
    key = "id"
    if "key" in data:
        key = identifier_at(data["key"], ("key",), problems) or key
    envelope = data.get("envelope", "flat")
    if envelope not in ENVELOPES:
        problems.add(("envelope",), f"must be flat or debezium, not {envelope!r}")
    table = name
    if "table" in data:
        table = text_at(data["table"], ("table",), problems) or name
    spec = None
    if "fields" not in data:
        problems.add(("fields",), "missing: the entity's fields")
    else:
        spec = mapping_at(data["fields"], ("fields",), problems)
    names = [str(field) for field in spec or {}]
    for field in names:
        if field in RESERVED:
            problems.add(
                ("fields", field), f"'{field}' is a field every change event has"
            )
    fields = compiled_fields(spec, ("fields",), problems, locale) if spec else None
    settings = _settings(data.get("changes"), problems, key, names)
    if fields is None or settings is None or len(problems) > before:
        return None
    timing, groups = settings
    changes = replace(Changes(key_field=key, envelope=envelope, table=table), **timing)
    return DeclaredChanges(
        name,
        description,
        origin,
        fields,
        key not in names,
        groups,
        changes,
        locale,
        actors,
        duration,
    )


def _settings(
    value: Any, problems: Problems, key: str, names: list[str]
) -> tuple[dict[str, Any], list[tuple[str, ...]]] | None:
    """changes: its waits, and what an update may change (by default each
    field but the key on its own)."""
    groups: list[tuple[str, ...]] = [(name,) for name in names if name != key]
    if value is None:
        return {}, groups
    spec = mapping_at(value, ("changes",), problems)
    if spec is None:
        return None
    unknown_keys(spec, CHANGE_KEYS, ("changes",), problems)
    timing: dict[str, Any] = {}
    for setting in ("first_after", "update_every", "delete_after"):
        if setting not in spec:
            continue
        if spec[setting] is None and setting != "first_after":
            timing[setting] = None  # never
        else:
            timing[setting] = seconds_at(spec[setting], ("changes", setting), problems)
    if "fields" in spec:
        groups = _groups(spec["fields"], ("changes", "fields"), problems, key, names)
    return timing, groups


def _groups(
    value: Any, path: FieldPath, problems: Problems, key: str, names: list[str]
) -> list[tuple[str, ...]]:
    """A list whose items are a field or a list of fields changed together."""
    if not isinstance(value, list) or not value:
        problems.add(path, "must be a list of fields (or lists of fields)")
        return []
    groups = []
    for index, item in enumerate(value):
        members = item if isinstance(item, list) else [item]
        for place, member in enumerate(members):
            where = (*path, index, place) if isinstance(item, list) else (*path, index)
            if member == key:
                problems.add(where, f"'{key}' is the key: an update never changes it")
            elif member not in names:
                problems.add(where, f"{member!r} is not one of the entity's fields")
        if members:
            groups.append(tuple(map(str, members)))
        else:
            problems.add((*path, index), "is an empty list")
    return groups
