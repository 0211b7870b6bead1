"""Change events the CDC sink tests send, and what they should leave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datagen.runs.truth import GroundTruth

Event = dict[str, Any]


def change(op: str, id_: int, version: int, email: str, group: str = "g") -> Event:
    return {"op": op, "group": group, "id": id_, "version": version, "email": email}


#: Four sends: key 1 created, updated, deleted; key 2 created, updated,
#: deleted and created again; key 3 created and updated; key 9 deleted, never
#: created. The sink's batch size decides which of them share a transaction.
BATCHES = [
    [
        change("c", 1, 1, "a@x"),
        change("c", 2, 1, "b@x"),
        change("u", 2, 2, "c@x"),
    ],
    [
        change("d", 2, 3, "c@x"),
        change("c", 3, 1, "d@x"),
        change("u", 1, 2, "e@x"),
    ],
    [
        change("d", 1, 3, "e@x"),
        change("c", 2, 1, "f@x"),
        change("u", 3, 2, "g@x"),
    ],
    [change("d", 9, 1, "never created")],
]


def envelope(event: Event, before: Event | None) -> Event:
    image = {name: value for name, value in event.items() if name != "op"}
    deleted = event["op"] == "d"
    return {
        "before": before,
        "after": None if deleted else image,
        "op": event["op"],
        "ts_ms": 1,
        "source": {"connector": "datagen"},
    }


def as_envelopes(batches: list[list[Event]]) -> list[list[Event]]:
    images: dict[int, Event] = {}
    wrapped = []
    for batch in batches:
        out = []
        for event in batch:
            image = {k: v for k, v in event.items() if k != "op"}
            before = images.get(event["id"])
            if event["op"] == "d" and before is None:
                before = image  # a delete of a key this stream never created
            out.append(envelope(event, before))
            images[event["id"]] = image
        wrapped.append(out)
    return wrapped


def truth_of(batches: list[list[Event]], tmp_path: Path, key: str) -> list[Event]:
    truth = GroundTruth(tmp_path, "t", key)
    for batch in batches:
        truth.observe(batch)
    return truth.records()
