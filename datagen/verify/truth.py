"""A stream's final state against the ground truth (`--truth DIR`).

A table is a state already (a row per key); a file of events is applied in
output order as a keyed sink applies it (create, update or delete by `op`;
a plain record overwrites its key), faulted events left out. Keys whose
final state a fault decides are left out on both sides (left_out_keys):
the truth holds their clean events, the output their faulted ones. Then
missing keys (in the truth only), extra keys (in the output only) and
different rows (a field of the truth whose value differs), with examples.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import orjson

from datagen.encoders import flatten
from datagen.errors import ConfigError
from datagen.files.json_lines import read_json_lines
from datagen.sinks.changes import DELETE_OP, change_of
from datagen.verify.reading import Malformed, Stream
from datagen.verify.report import EXAMPLES, Check, outcome
from datagen.verify.values import MISSING, epoch, field_value, hashable, key_of

__all__ = ["key_of", "left_out_keys", "read_truth", "truth_check"]


def truth_file(directory: Path, stream: str, streams: int) -> Path:
    """DIR/<stream>.jsonl; when one stream is verified and DIR holds one
    file, that file (a table named other than the run that wrote the truth).
    ConfigError naming what DIR holds otherwise: a check asked for and not
    made must not read as passed."""
    path = directory / f"{stream}.jsonl"
    if path.exists():
        return path
    held = sorted(directory.glob("*.jsonl"))
    if streams == 1 and len(held) == 1:
        return held[0]
    listing = ", ".join(file.name for file in held) or "no .jsonl file"
    raise ConfigError(
        f"--truth {directory}: no {stream}.jsonl (it holds {listing}): name "
        "the output after its stream, NAME=OUTPUT"
    )


def read_truth(path: Path) -> list[dict[str, Any]]:
    """A ground truth file's records."""
    return [record for _, record in read_json_lines(path, "--truth")]


def truth_check(
    stream: Stream,
    truth: list[dict[str, Any]],
    key_field: str,
    excluded: Collection[int],
    faulted_keys: Collection[Any] = (),
) -> Check:
    """The stream's state, key by key, against truth's records."""
    name = "ground truth"
    left_out = {hashable(key) for key in faulted_keys}
    state = _state(stream, key_field, excluded, left_out)
    expected: dict[Any, dict[str, Any]] = {}
    for record in truth:
        key = field_value(record, key_field)
        if key is MISSING:
            raise ConfigError(
                f"--truth: a record of '{stream.name}' has no {key_field}"
            )
        if hashable(key) not in left_out:
            expected[hashable(key)] = record
    missing = [key for key in expected if key not in state]
    extra = [key for key in state if key not in expected]
    different = []
    for key, record in expected.items():
        if key in state:
            fields = _differences(record, state[key])
            if fields:
                different.append((key, fields))
    details: dict[str, Any] = {
        "truth": len(expected),
        "output": len(state),
        "key_field": key_field,
    }
    if left_out:
        details["left_out_faulted_keys"] = len(left_out)
    if missing:
        details.update(missing=len(missing), missing_examples=missing[:EXAMPLES])
    if extra:
        details.update(extra=len(extra), extra_examples=extra[:EXAMPLES])
    if different:
        details.update(
            different=len(different),
            different_examples=[
                {"key": key, "fields": fields} for key, fields in different[:EXAMPLES]
            ],
        )
    passed = not (missing or extra or different)
    summary = (
        f"{len(expected):,} keys, row for row as the truth"
        if passed
        else f"{len(missing):,} missing, {len(extra):,} extra, "
        f"{len(different):,} different of {len(expected):,} keys"
    )
    return Check(name, stream.name, outcome(passed), summary, details)


def _state(
    stream: Stream, key_field: str, excluded: Collection[int], left_out: set[Any]
) -> dict[Any, dict[str, Any]]:
    state: dict[Any, dict[str, Any]] = {}
    for index, event in stream.dicts():
        if index in excluded:
            continue
        op: str = "r"
        record: Mapping[str, Any] = event
        if not stream.table:
            try:
                op, record = change_of(event)
            except ConfigError:
                continue  # not a change an independent reader could apply
        key = field_value(dict(record), key_field)
        if key is MISSING:
            continue
        key = hashable(key)
        if key in left_out:
            continue
        if op == DELETE_OP:
            state.pop(key, None)
        else:
            state[key] = dict(record)
    return state


def left_out_keys(
    stream: Stream,
    key_field: str,
    excluded: Collection[int],
    listed: Mapping[int, Any],
) -> set[Any]:
    """The keys whose final state a fault decides. Every change event
    carries its key's whole record, so a key ends as its last event left
    it: keys whose last event is faulted. In a table the events are gone:
    every key a fault names. listed: the faults manifest's keys by index."""
    if stream.table:
        return {hashable(key) for key in listed.values() if key is not None}
    last: dict[Any, int] = {}
    for index, record in enumerate(stream.records):
        if isinstance(record, Malformed):
            key = record.recover(key_field)
        else:
            key = key_of(record, key_field)
        key = listed.get(index, key)
        if key is not MISSING and key is not None:
            last[hashable(key)] = index
    return {key for key, index in last.items() if index in excluded}


def _differences(truth: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """{field: {"truth": ..., "output": ...}} for each field that differs."""
    found = {}
    for name, want in flatten(truth).items():
        have = field_value(row, name)
        if not _same(want, have):
            found[name] = {"truth": want, "output": None if have is MISSING else have}
    return found


def _same(want: Any, have: Any) -> bool:
    """Equal as an independent reader compares a database's values: numbers
    by value (a MariaDB boolean is 0/1), times by instant, JSON text parsed."""
    if want == have and type(want) is type(have):
        return True
    if have is MISSING:
        return False
    if isinstance(want, (bool, int, float)) and isinstance(have, (bool, int, float)):
        return math.isclose(float(want), float(have), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(want, (list, dict)) and isinstance(have, str):
        try:
            return bool(orjson.loads(have) == want)
        except orjson.JSONDecodeError:
            return False
    if isinstance(want, str) and not isinstance(have, (int, float)):
        instant = epoch(want)
        return instant is not None and instant == epoch(have)
    return bool(want == have)
