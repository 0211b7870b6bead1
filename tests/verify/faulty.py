"""Faults made by hand for verify's tests, as the faults manifest describes
them: each kind applied to chosen records of a clean JSONL stream, and the
manifest lines that list them."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

LAG = timedelta(minutes=10)
#: Every fault kind a web stream takes (no references: no dangling), as the
#: issue lists them.
WEB_KINDS = (
    "null",
    "wrong_type",
    "out_of_range",
    "malformed",
    "drift",
    "duplicate",
    "late",
    "out_of_order",
)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def inject(
    records: Sequence[dict[str, Any]],
    kinds: Sequence[str],
    rate: float,
    seed: int,
    *,
    stream: str,
    key_field: str,
    time_field: str | None = None,
    value_fields: Sequence[str] = (),
    reference: str | None = None,
) -> tuple[list[bytes], list[dict[str, Any]]]:
    """The stream's lines with about rate of the records faulted per kind,
    and the faults manifest's entries (index = line number)."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    manifest: list[dict[str, Any]] = []
    clean: list[tuple[int, dict[str, Any]]] = []  # (index, record) unfaulted
    watermark: datetime | None = None
    last_of_key: dict[Any, datetime] = {}
    for record in records:
        record = dict(record)
        kind = next((k for k in kinds if rng.random() < rate), None)
        key = record.get(key_field)
        entry: dict[str, Any] = {"fault": kind, "stream": stream, "key": key}
        entry.update(field=None, original=None)
        moment = _time(record[time_field]) if time_field else None
        if kind == "duplicate" and clean:
            source, copy = clean[rng.randrange(len(clean))]
            entry.update(key=copy.get(key_field), original=source)
            manifest.append({"index": len(lines), **entry})
            lines.append(json.dumps(copy).encode() + b"\n")
            kind = None
        if kind in ("null", "wrong_type", "out_of_range"):
            name = rng.choice(value_fields)
            value = record[name]
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if kind == "out_of_range" and not number:
                kind = "null"
            entry.update(fault=kind, field=name, original=value)
            if kind == "null":
                record[name] = None
            elif kind == "wrong_type":
                record[name] = len(value) if isinstance(value, str) else str(value)
            else:
                record[name] = -(abs(value) * 1000 + 1000)
        elif kind == "drift":
            name = rng.choice(value_fields)
            record[name + "_v2"] = record.pop(name)
            entry.update(field=name)
        elif kind == "late" and watermark is not None:
            assert time_field is not None
            entry.update(field=time_field, original=record[time_field])
            record[time_field] = _iso(watermark - LAG)
        elif kind == "out_of_order" and key in last_of_key:
            assert time_field is not None  # a time before its key's last
            entry.update(field=time_field, original=record[time_field])
            record[time_field] = _iso(last_of_key[key] - timedelta(milliseconds=1))
        elif kind == "dangling" and reference:
            entry.update(field=reference, original=record[reference])
            value = record[reference]
            made_up = 10_000 + len(lines)  # no parent has it
            record[reference] = made_up if isinstance(value, int) else f"x{made_up}"
        elif kind in ("late", "out_of_order", "dangling", "duplicate"):
            kind = None  # nothing to fault yet
        line = json.dumps(record).encode() + b"\n"
        if kind == "malformed":
            line = line[: len(line) // 2] + b"\n"
        if kind is not None:
            manifest.append({"index": len(lines), **entry})
        elif moment is not None:
            watermark = max(watermark or moment, moment)
            last_of_key[key] = moment
        if kind is None:
            clean.append((len(lines), record))
        lines.append(line)
    return lines, manifest


def write_faulty(
    folder: Path,
    name: str,
    lines: list[bytes],
    manifest: list[dict[str, Any]],
) -> tuple[Path, Path]:
    """NAME.jsonl and NAME.faults.jsonl in folder."""
    data = folder / f"{name}.jsonl"
    data.write_bytes(b"".join(lines))
    faults = folder / f"{name}.faults.jsonl"
    faults.write_text("".join(json.dumps(entry) + "\n" for entry in manifest))
    return data, faults


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]
