"""What faults need to know of a stream: its key, time and actor fields, its references.

A provider class or a simulation model may say them (`key_field`,
`time_field`, `actor_field`, `references`); what it leaves out is found in
the stream's first record: the key is the first top-level field named `id`
or ending in `_id`, the time the first of TIME_FIELDS present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from datagen.errors import ConfigError
from datagen.faults.spec import FaultSpec

#: The fields taken as a stream's event time when its source names none.
TIME_FIELDS = ("event_time", "timestamp", "event_timestamp")
#: A change event's fields that say what changed (see datagen/sinks/changes.py):
#: keyed sinks apply them, so faults leave them alone.
CHANGE_FIELDS = ("op", "before", "after")


@dataclass(frozen=True)
class StreamShape:
    """One stream's name and fields. `ordered`: its records come in time
    order (a simulation's), so the watermark is the last clean record's time.
    `found`: the fields the source left out have been looked for in a record."""

    name: str
    key_field: str | None = None
    time_field: str | None = None
    actor_field: str | None = None
    references: Mapping[str, str] = field(default_factory=dict)
    ordered: bool = False
    found: bool = False
    #: The change fields (op, before, after) the first record has.
    changes: tuple[str, ...] = ()

    def protected(self) -> frozenset[str]:
        """Fields that value faults leave alone: the key, time and actor, so
        every faulted record can still be found and ordered, and a change
        event's op and images, so keyed sinks can still apply it."""
        names = (self.key_field, self.time_field, self.actor_field, *self.changes)
        return frozenset(name for name in names if name is not None)

    def complete(self, first: Mapping[str, Any]) -> StreamShape:
        """The shape with the fields its source left out found in `first`."""
        if self.found:
            return self
        key = self.key_field or _first_key(first)
        time = self.time_field or next((n for n in TIME_FIELDS if n in first), None)
        changes = tuple(name for name in CHANGE_FIELDS if name in first)
        if "op" not in changes:
            changes = ()
        return replace(
            self, key_field=key, time_field=time, found=True, changes=changes
        )

    def check(self, spec: FaultSpec) -> None:
        """ConfigError naming the first kind with a rate that cannot apply
        to this stream: late and out_of_order need a time field (and
        out_of_order a key), dangling a reference. Kinds that need a field
        found in the first record are checked once `found`."""
        rates = spec.rates
        if rates.get("dangling", 0) > 0 and not self.references:
            raise ConfigError(
                f"--faults dangling: stream '{self.name}' has no reference field "
                "(no field refers to another stream)"
            )
        if not self.found:
            return
        for kind in ("late", "out_of_order"):
            if rates.get(kind, 0) > 0 and self.time_field is None:
                raise ConfigError(
                    f"--faults {kind}: stream '{self.name}' has no time field "
                    f"(none of {', '.join(TIME_FIELDS)}, and its source names none)"
                )
        if rates.get("out_of_order", 0) > 0 and self.key_field is None:
            raise ConfigError(
                f"--faults out_of_order: stream '{self.name}' has no key field "
                "(no 'id' or '*_id' field, and its source names none)"
            )


def shape_of(source: object, name: str, ordered: bool = False) -> StreamShape:
    """The shape a provider class or simulation model declares (getattr:
    every attribute is optional)."""
    references = getattr(source, "references", None) or {}
    return StreamShape(
        name,
        getattr(source, "key_field", None),
        getattr(source, "time_field", None),
        getattr(source, "actor_field", None),
        dict(references),
        ordered,
    )


def _first_key(record: Mapping[str, Any]) -> str | None:
    for name in record:
        if name == "id" or name.endswith("_id"):
            return name
    return None
