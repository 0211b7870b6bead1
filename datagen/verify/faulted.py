"""The faulted set found in the data against the faults manifest, exactly.

Both are sets of (index, kind) (and for a duplicate, the index it copies).
Each kind's listed and found counts are given, and what is missing (listed,
not found), extra (found, not listed) or found as another kind, with
examples: the index, the kind and the start of the record.
"""

from __future__ import annotations

from typing import Any

import orjson

from datagen.verify.anomalies import Anomaly
from datagen.verify.manifests import FAULT_KINDS, Fault
from datagen.verify.reading import Malformed, Stream
from datagen.verify.report import EXAMPLES, SKIP, Check, outcome

__all__ = ["faulted_check"]

_SHOWN = 160


def faulted_check(
    stream: Stream, found: dict[int, Anomaly], listed: list[Fault] | None
) -> Check:
    """PASS when the records found faulted are exactly those listed, kind by
    kind; listed None: no faults manifest, so none should be found."""
    name = "faulted records"
    if stream.table:
        return Check(
            name,
            stream.name,
            SKIP,
            "a table's rows have no output order: faults are checked on files",
        )
    manifest = {fault.index: fault for fault in listed or ()}
    missing = [f for i, f in manifest.items() if i not in found]
    extra = [a for i, a in found.items() if i not in manifest]
    other = [
        (manifest[i], a)
        for i, a in found.items()
        if i in manifest and not _same(manifest[i], a)
    ]
    beyond = [f for f in manifest.values() if f.index >= len(stream)]
    kinds: dict[str, dict[str, int]] = {}
    for fault in manifest.values():
        kinds.setdefault(fault.fault, {"listed": 0, "found": 0})["listed"] += 1
    for anomaly in found.values():
        kinds.setdefault(anomaly.kind, {"listed": 0, "found": 0})["found"] += 1
    order = {kind: n for n, kind in enumerate(FAULT_KINDS)}
    details: dict[str, Any] = {
        "by_kind": dict(sorted(kinds.items(), key=lambda item: order[item[0]]))
    }
    if missing:
        details["missing"] = len(missing)
        details["missing_examples"] = [
            _example(stream, f.index, f.fault, f.field) for f in missing[:EXAMPLES]
        ]
    if extra:
        details["extra"] = len(extra)
        details["extra_examples"] = [
            _example(stream, a.index, a.kind, a.field, a.detail)
            for a in extra[:EXAMPLES]
        ]
    if other:
        details["different"] = len(other)
        details["different_examples"] = [
            {**_example(stream, f.index, f.fault, f.field), "found": _found(a)}
            for f, a in other[:EXAMPLES]
        ]
    if beyond:
        details["beyond_the_stream"] = [f.index for f in beyond[:EXAMPLES]]
    passed = not (missing or extra or other)
    source = "the faults manifest" if listed is not None else "no faults manifest"
    summary = (
        f"{len(found):,} faulted records found, as {source} lists"
        if passed
        else f"{len(found):,} found, {len(manifest):,} listed: {len(missing):,} "
        f"missing, {len(extra):,} extra, {len(other):,} of another kind"
    )
    return Check(name, stream.name, outcome(passed), summary, details)


def _same(fault: Fault, anomaly: Anomaly) -> bool:
    if fault.fault != anomaly.kind:
        return False
    return fault.fault != "duplicate" or fault.original == anomaly.original


def _found(anomaly: Anomaly) -> str:
    if anomaly.kind == "duplicate":
        return f"duplicate of {anomaly.original}"
    return anomaly.kind + (f" ({anomaly.field})" if anomaly.field else "")


def _example(
    stream: Stream, index: int, kind: str, field: str | None, detail: str = ""
) -> dict[str, Any]:
    example: dict[str, Any] = {"index": index, "fault": kind}
    if field:
        example["field"] = field
    if detail:
        example["detail"] = detail
    if index < len(stream):
        record = stream.records[index]
        text = (
            record.text
            if isinstance(record, Malformed)
            else orjson.dumps(record, default=str).decode()
        )
        example["record"] = text[:_SHOWN] + ("..." if len(text) > _SHOWN else "")
    return example
