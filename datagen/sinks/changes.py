"""Change events: what `op` means, read alike by the keyed sinks and the
ground truth (and written so by the CDC models).

A change event is flat (`{"op": "u", "customer_id": 7, "version": 3, ...}`:
the record as it is after the change, or as it was for a delete, plus `op`)
or a Debezium-like envelope (`{"before": {...}, "after": {...}, "op": "u",
"ts_ms": ..., "source": {...}}`, the key inside the images). `c` (create),
`r` (read, a snapshot) and `u` (update) set the key's record; `d` removes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datagen.errors import ConfigError

#: The `op` values that write a record, and the one that removes it.
UPSERT_OPS = frozenset(("c", "r", "u"))
DELETE_OP = "d"
OPS = UPSERT_OPS | {DELETE_OP}


def is_envelope(event: Mapping[str, Any]) -> bool:
    """True for a Debezium-like envelope: `op` with a `before` or `after` image."""
    return "op" in event and ("after" in event or "before" in event)


def is_change(event: Mapping[str, Any]) -> bool:
    """True when event reads as a change: an `op` of c, r, u or d."""
    op = event.get("op")
    return isinstance(op, str) and op in OPS


def change_of(
    event: Mapping[str, Any], error: type[Exception] = ConfigError
) -> tuple[str, dict[str, Any]]:
    """The event's op and the record it carries: for an envelope the `after`
    image (the `before` one for a delete), for a flat change event the event
    less `op` (a new dict), for a plain record ("c", the record). `error`
    (a sink's SinkError) for an `op` that is none of c, r, u, d, or an
    envelope missing its image."""
    if "op" not in event:
        return "c", event if isinstance(event, dict) else dict(event)
    op = event["op"]
    if not isinstance(op, str) or op not in OPS:
        raise error(f"change event: op must be c, r, u or d, not {op!r}")
    if is_envelope(event):
        side = "before" if op == DELETE_OP else "after"
        image = event.get(side)
        if not isinstance(image, Mapping):
            raise error(f"change event: op {op!r} needs the '{side}' image (an object)")
        return op, image if isinstance(image, dict) else dict(image)
    record = dict(event)
    del record["op"]
    return op, record


#: A keyed sink's `cdc=` option: apply the stream as changes or not; auto:
#: when the first event is one (an `op` of c, r, u or d).
CDC_MODES = ("auto", "true", "false")


def check_cdc(where: str, mode: str, key: str | None) -> None:
    """ConfigError for a cdc= the sink cannot follow, naming where (its URL)."""
    if mode not in CDC_MODES:
        raise ConfigError(f"{where}: cdc must be auto, true or false, not '{mode}'")
    if mode == "true" and not key:
        raise ConfigError(
            f"{where}: cdc=true needs key=FIELD, the key changes are applied by"
        )


def reads_changes(mode: str, keyed: bool, first: Mapping[str, Any]) -> bool:
    """True when a sink applies its stream as changes: cdc=true, or cdc=auto
    on a keyed sink whose first event is a change. Decided once, on the
    first event: a stream of ordinary records stays one."""
    return mode == "true" or (mode == "auto" and keyed and is_change(first))
