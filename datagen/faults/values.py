"""The change each kind of fault makes to one record (copied, never changed in place).

Each function returns a Change, or None when the record has nothing the
fault can change (the injector then tries the next record).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from datagen.encoders import MalformedRecord, dumps_line
from datagen.seeding import random_uuid
from datagen.timefmt import MILLISECONDS_ABOVE, epoch_seconds

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_FRACTION = re.compile(r"[T ]\d{2}:\d{2}:\d{2}(\.\d+)?")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Change:
    """A faulted record and what the manifest says of it: the field changed
    (None for the whole record), its value before, and for drift and
    malformed which change it was."""

    record: dict[str, Any]
    field: str | None = None
    original: Any = None
    change: str | None = None


#: Random draws of a field before every field that fits is listed.
_DRAWS = 8


def _choose(rng: random.Random, names: list[str]) -> str | None:
    return names[rng.randrange(len(names))] if names else None


def _pick(
    record: Mapping[str, Any], rng: random.Random, fits: Callable[[str, Any], bool]
) -> str | None:
    """A field of the record that fits, each as likely: drawn at random
    (cheap when most fields fit), else chosen from the list of those that do."""
    names = list(record)
    if not names:
        return None
    for _ in range(_DRAWS):
        name = names[rng.randrange(len(names))]
        if fits(name, record[name]):
            return name
    return _choose(rng, [name for name in names if fits(name, record[name])])


def _with(record: Mapping[str, Any], name: str, value: Any) -> dict[str, Any]:
    changed = dict(record)
    changed[name] = value
    return changed


def null(
    record: Mapping[str, Any],
    rng: random.Random,
    protected: Collection[str],
    nullable: Collection[str],
) -> Change | None:
    """A field that is not null (and was never null in the stream's first
    records) set to null."""
    name = _pick(
        record,
        rng,
        lambda name, value: value is not None
        and name not in protected
        and name not in nullable,
    )
    if name is None:
        return None
    return Change(_with(record, name, None), name, record[name])


def wrong_type(
    record: Mapping[str, Any], rng: random.Random, protected: Collection[str]
) -> Change | None:
    """A value of another JSON type: a number or boolean as text, text as a
    number (its value if it is a number written as text, else its length),
    a list or object as its JSON text."""
    name = _pick(
        record, rng, lambda name, value: value is not None and name not in protected
    )
    if name is None:
        return None
    value = record[name]
    return Change(_with(record, name, _retyped(value)), name, value)


def _retyped(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return len(value)
        if not math.isfinite(number):
            return len(value)
        return int(number) if number.is_integer() else number
    return dumps_line(value)[:-1].decode()


def out_of_range(
    record: Mapping[str, Any], rng: random.Random, protected: Collection[str]
) -> Change | None:
    """A number far outside any range it keeps to, -(|value| * 1000 + 1000)
    (same type); with no number in the record, a date or time moved to the
    year 9999."""
    name = _pick(
        record,
        rng,
        lambda name, value: isinstance(value, (int, float))
        and not isinstance(value, bool)
        and name not in protected,
    )
    if name is not None:
        value = record[name]
        far = -(abs(value) * 1000 + 1000)
        return Change(_with(record, name, far), name, value)
    name = _pick(
        record,
        rng,
        lambda name, value: isinstance(value, str)
        and _DATE.match(value) is not None
        and name not in protected,
    )
    if name is None:
        return None
    value = record[name]
    return Change(_with(record, name, "9999" + value[4:]), name, value)


def _fresh_name(record: Mapping[str, Any], name: str) -> str:
    new = f"{name}_v2"
    while new in record:
        new += "_v2"
    return new


def drift(
    record: Mapping[str, Any], rng: random.Random, protected: Collection[str]
) -> Change | None:
    """The record's shape changed: a field removed, renamed to <field>_v2
    (in its place), or a field <field>_v2 added (a copy of the field's
    value, at the end)."""
    name = _pick(record, rng, lambda name, _value: name not in protected)
    if name is None:
        return None
    how = ("removed", "renamed", "added")[rng.randrange(3)]
    value = record[name]
    new = _fresh_name(record, name)
    if how == "removed":
        changed = {key: item for key, item in record.items() if key != name}
        return Change(changed, name, value, how)
    if how == "renamed":
        changed = {(new if key == name else key): item for key, item in record.items()}
        return Change(changed, name, value, how)
    return Change(_with(record, new, value), new, None, how)


def dangling(
    record: Mapping[str, Any], rng: random.Random, references: Collection[str]
) -> Change | None:
    """A reference field set to an id no parent has: a fresh UUID for a
    UUID, a negative number for a number, else `dangling-` and 12 hex
    digits."""
    names = [name for name in references if record.get(name) is not None]
    name = _choose(rng, names)
    if name is None:
        return None
    value = record[name]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, (int, float)):
        missing: Any = -1 - rng.randrange(10**9)
    elif _UUID.match(value.lower()):
        missing = random_uuid(rng)
    else:
        missing = f"dangling-{rng.getrandbits(48):012x}"
    return Change(_with(record, name, missing), name, value)


def late(
    record: Mapping[str, Any], time_field: str, watermark: Any, lag: float
) -> Change | None:
    """The event time set to `lag` seconds before the watermark (a time
    in the stream's format), written in the record's own format."""
    value = record.get(time_field)
    if epoch_seconds(value) is None or epoch_seconds(watermark) is None:
        return None
    return Change(
        _with(record, time_field, shifted(watermark, -lag)), time_field, value
    )


def malformed(
    record: Mapping[str, Any],
    line: bytes,
    rng: random.Random,
    protected: Collection[str],
) -> Change:
    """The record broken: its JSON line truncated (the closing brace and
    more cut off) or with an invalid UTF-8 byte; as a record, cut short to
    its leading half of fields (and the protected ones it has)."""
    body = line[:-1] if line.endswith(b"\n") else line
    if rng.random() < 0.5:
        how = "truncated"
        broken = body[: 1 + rng.randrange(max(len(body) - 1, 1))] + b"\n"
    else:
        how = "invalid_utf8"
        at = 1 + rng.randrange(max(len(body) - 1, 1))
        broken = body[:at] + b"\xff" + body[at:] + b"\n"
    names = list(record)
    half = set(names[: len(names) // 2])
    kept = [name for name in names if name in half or name in protected]
    cut = MalformedRecord({name: record[name] for name in kept}, broken)
    return Change(cut, None, None, how)


def shifted(value: Any, seconds: float) -> Any:
    """A time (as epoch_seconds reads it) moved by seconds, in its own format
    (ISO text keeps its separator, fraction digits and offset or Z; a date
    moves by whole days, at least one; milliseconds stay milliseconds)."""
    if isinstance(value, (int, float)):
        step = seconds * 1000 if abs(value) > MILLISECONDS_ABOVE else seconds
        number = value + step
        return round(number) if isinstance(value, int) else number
    text = str(value)
    moment = datetime.fromisoformat(text)
    if len(text) == 10:  # a date
        days = (
            math.floor(seconds / 86400) if seconds < 0 else math.ceil(seconds / 86400)
        )
        return (moment + timedelta(days=days)).date().isoformat()
    moved = moment + timedelta(seconds=seconds)
    clock = _FRACTION.search(text)
    digits = len(clock.group(1)) - 1 if clock and clock.group(1) else 0
    full = moved.isoformat(sep=text[10], timespec="microseconds")
    head = full[:19] + (full[19 : 20 + digits] if digits else "")
    if text.endswith("Z"):
        return head + "Z"
    return head + full[26:]
