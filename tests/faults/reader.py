"""An independent reader of a faulted output and its faults manifest.

Written from the manifest's description in docs/faults.md with the standard
library only (no datagen code): it reads the output as bytes, one record a
line, and checks that every listed record shows its fault and that every
other record is clean (valid JSON, the stream's fields, no null, one type a
field, unique, in time order).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any


def read_lines(path: Path) -> list[bytes]:
    """The output's records: its lines, as bytes (a broken one may hold a
    byte that is no UTF-8)."""
    data = path.read_bytes()
    assert data.endswith(b"\n"), "the output ends in a newline"
    return data.split(b"\n")[:-1]


def read_manifest(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def parse(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def seconds(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def check(
    lines: Sequence[bytes],
    entries: Sequence[dict[str, Any]],
    stream: str,
    key_field: str | None = None,
    time_field: str | None = None,
    lag: float = 600.0,
) -> dict[str, int]:
    """Assert the output matches the manifest exactly; returns the faults
    counted by kind."""
    indexes = [entry["index"] for entry in entries]
    assert indexes == sorted(indexes), "the manifest is in output order"
    listed = {entry["index"]: entry for entry in entries}
    assert len(listed) == len(entries), "at most one fault a record"
    assert all(entry["stream"] == stream for entry in entries)
    assert max(indexes, default=-1) < len(lines)
    records = [parse(line) for line in lines]
    clean = [at for at in range(len(lines)) if at not in listed]
    _check_clean(lines, records, clean, time_field)
    shape = set(records[clean[0]] or {})
    types = {
        name: json_type(value) for name, value in (records[clean[0]] or {}).items()
    }
    latest: float | None = None
    latest_of_key: dict[Any, float] = {}
    counts: dict[str, int] = {}
    for at, (line, record) in enumerate(zip(lines, records)):
        entry = listed.get(at)
        moment = (
            None
            if record is None or time_field is None
            else seconds(record.get(time_field))
        )
        if entry is not None:
            counts[entry["fault"]] = counts.get(entry["fault"], 0) + 1
            _check_fault(
                entry, line, record, lines, shape, types, key_field, time_field
            )
            if entry["fault"] == "late":
                assert latest is not None and moment is not None
                assert abs(latest - lag - moment) < 0.002, entry
            if entry["fault"] == "out_of_order":
                key = record[key_field]  # type: ignore[index]
                assert moment is not None and moment < latest_of_key[key], entry
        if moment is not None:
            latest = moment if latest is None else max(latest, moment)
            if key_field is not None and record is not None and key_field in record:
                key = record[key_field]
                latest_of_key[key] = max(latest_of_key.get(key, moment), moment)
    return counts


def _check_clean(
    lines: Sequence[bytes],
    records: Sequence[dict[str, Any] | None],
    clean: Sequence[int],
    time_field: str | None,
) -> None:
    """Every record not listed is whole, shaped and typed like the first,
    without null, unique, and in time order."""
    first = records[clean[0]]
    assert first is not None
    shape = set(first)
    types = {name: json_type(value) for name, value in first.items()}
    seen: set[bytes] = set()
    previous: float | None = None
    for at in clean:
        record = records[at]
        assert record is not None, f"line {at} is not JSON but not listed"
        assert set(record) == shape, f"line {at} has other fields but is not listed"
        for name, value in record.items():
            assert json_type(value) == types[name], f"line {at} {name} not listed"
        assert lines[at] not in seen, f"line {at} repeats a line but is not listed"
        seen.add(lines[at])
        if time_field is not None:
            moment = seconds(record[time_field])
            assert moment is not None
            assert previous is None or moment >= previous, f"line {at} out of order"
            previous = moment


def _check_fault(
    entry: dict[str, Any],
    line: bytes,
    record: dict[str, Any] | None,
    lines: Sequence[bytes],
    shape: set[str],
    types: dict[str, str],
    key_field: str | None,
    time_field: str | None,
) -> None:
    kind, name, original = entry["fault"], entry["field"], entry["original"]
    if kind == "malformed":
        assert record is None, entry
        if entry.get("change") == "invalid_utf8":
            assert b"\xff" in line
        return
    assert record is not None, entry
    if key_field is not None and key_field in record:
        assert record[key_field] == entry["key"], entry
    if kind == "null":
        assert record[name] is None and original is not None, entry
    elif kind == "wrong_type":
        assert json_type(record[name]) != json_type(original), entry
    elif kind == "out_of_range":
        value = record[name]
        assert (isinstance(value, (int, float)) and value <= -1000) or str(
            value
        ).startswith("9999-"), entry
    elif kind == "drift":
        change = entry["change"]
        if change == "removed":
            assert name not in record and set(record) == shape - {name}, entry
        elif change == "renamed":
            assert name not in record and record[f"{name}_v2"] == original, entry
        else:
            assert name in record and set(record) - shape == {name}, entry
    elif kind == "duplicate":
        assert original < entry["index"] and line == lines[original], entry
    elif kind == "late":
        assert time_field is not None and name == time_field
        before, after = seconds(original), seconds(record[name])
        assert before is not None and after is not None and after < before, entry
    elif kind == "out_of_order":
        assert name == time_field, entry
    else:
        raise AssertionError(f"unexpected fault {kind}")
    if kind in ("late", "out_of_order", "duplicate"):
        assert set(record) == shape, entry
