"""Counts against the run's manifest: a file's records, an appended table's
rows against its sink's acknowledged count, and the faults by kind."""

from __future__ import annotations

from collections import Counter
from typing import Any

from datagen.verify.manifests import Fault, SinkCounts, StreamRecord
from datagen.redaction import redact
from datagen.verify.reading import Stream
from datagen.verify.report import SKIP, Check, outcome
from datagen.verify.tables import is_table_url

__all__ = ["count_check", "fault_count_check"]


def count_check(stream: Stream, record: StreamRecord, sinks: list[SinkCounts]) -> Check:
    """A file holds `count` records; a table without a key (appended rows)
    holds what its sink acknowledged. A keyed table holds the live keys,
    which the ground truth checks."""
    name = "count"
    have = len(stream)
    if not stream.table:
        return _compared(name, stream, have, record.count, "records", "count")
    if stream.key_columns:
        return Check(
            name,
            stream.name,
            SKIP,
            "a keyed table holds its live keys: see ground truth",
        )
    sink = _sink_of(stream, record, sinks)
    if sink is None or sink.acknowledged is None:
        return Check(name, stream.name, SKIP, "no sink of the manifest writes it")
    return _compared(name, stream, have, sink.acknowledged, "rows", "acknowledged")


def _compared(
    name: str, stream: Stream, have: int, want: int | None, what: str, field: str
) -> Check:
    if want is None:
        return Check(name, stream.name, SKIP, f"the manifest has no {field}")
    passed = have == want
    summary = f"{have:,} {what}" + (
        f", as the manifest's {field}"
        if passed
        else f", the manifest's {field} is {want:,}"
    )
    details = {"read": have, field.replace(" ", "_"): want}
    return Check(name, stream.name, outcome(passed), summary, details)


def _sink_of(
    stream: Stream, record: StreamRecord, sinks: list[SinkCounts]
) -> SinkCounts | None:
    """The sink of this stream that wrote the table: named by its URL, else
    the stream's one table sink."""
    mine = [sink for sink in sinks if sink.stream in (None, record.name)]
    named = [sink for sink in mine if redact(sink.name) == stream.source]
    found = named or [sink for sink in mine if is_table_url(sink.name)]
    return found[0] if len(found) == 1 else None


def fault_count_check(record: StreamRecord, listed: list[Fault] | None) -> Check:
    """The manifest's faulted counts by kind are the faults manifest's, and
    clean + faulted = count."""
    name = "fault counts"
    details: dict[str, Any] = {"manifest": dict(record.faulted)}
    problems = []
    if listed is not None:
        counted = dict(Counter(fault.fault for fault in listed))
        details["faults_manifest"] = counted
        kinds = set(counted) | {k for k, n in record.faulted.items() if n}
        wrong = sorted(
            k for k in kinds if counted.get(k, 0) != record.faulted.get(k, 0)
        )
        if wrong:
            problems.append(f"{', '.join(wrong)} differ from the faults manifest")
    total = sum(record.faulted.values())
    if record.clean is not None and record.count is not None:
        details.update(clean=record.clean, count=record.count)
        if record.clean + total != record.count:
            problems.append(
                f"clean {record.clean:,} + faulted {total:,} is not the count "
                f"{record.count:,}"
            )
    summary = "; ".join(problems) or f"{total:,} faulted, by kind as listed"
    return Check(name, record.name, outcome(not problems), summary, details)
