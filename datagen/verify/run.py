"""One verify: outputs read, matched with the manifests, every check made.

Streams are matched to the run manifest's by name (a file's stem, a
table's name, or NAME= before the output), else by the manifest's list of
a stream's outputs, else a lone output to a lone manifest stream. The
faulted records (found in the data, or listed) are left out of every other
check: those check the clean rest. A table's rows have no output order: the
rows whose key a fault names are left out instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.errors import ConfigError
from datagen.faults.spec import DEFAULT_LAG_SECONDS, parse_faults
from datagen.sinks.spec import split_named
from datagen.verify.anomalies import Expectations, detect, rare_share
from datagen.verify.choices import DEFAULT_LEVEL, choice_check
from datagen.verify.counts import count_check, fault_count_check
from datagen.declarative.distributions import Distributions
from datagen.verify.faulted import faulted_check
from datagen.verify.integrity import (
    Reference,
    parent_keys,
    parse_reference,
    reference_check,
    refuse_unknown_streams,
)
from datagen.verify.manifests import (
    Fault,
    fault_spec_of,
    RunManifest,
    StreamRecord,
    read_faults,
    read_manifest,
)
from datagen.verify.ordering import time_order_check
from datagen.verify.reading import Stream, read_file
from datagen.verify.report import SKIP, Check, Report
from datagen.verify.tables import is_table_url, read_table
from datagen.verify.truth import left_out_keys, read_truth, truth_check, truth_file
from datagen.verify.values import hashable, key_of

__all__ = ["Settings", "verify", "read_output"]

#: Time fields tried, in order, when neither the manifest nor --time names one.
TIME_FIELDS = ("event_time", "timestamp", "event_timestamp", "ts")


@dataclass
class Settings:
    """What verify was asked: outputs as given on the command line."""

    outputs: Sequence[str]
    manifest: Path | None = None
    faults: Path | None = None
    truth: Path | None = None
    #: An --against provider's or model's distributions, for every stream.
    against: Distributions = field(default_factory=dict)
    #: "orders.customer_id=customers.id" each.
    references: Sequence[str] = ()
    time_field: str | None = None
    actor_field: str | None = None
    key_field: str | None = None
    level: float = DEFAULT_LEVEL
    #: late: older than the watermark by this many seconds; None: the lag of
    #: the manifest's faults spec, else the faults' default.
    lag: float | None = None


@dataclass
class _Plan:
    """One stream with what is known of it."""

    stream: Stream
    record: StreamRecord | None
    faults: list[Fault] | None
    time_field: str | None
    actor_field: str | None
    key_field: str | None
    references: dict[str, str]
    distributions: Distributions = field(default_factory=dict)
    #: reference field -> the parent's keys (its parent read), once per run.
    parents: dict[str, set[Any]] = field(default_factory=dict)
    found: dict[int, Any] = field(default_factory=dict)
    excluded: set[int] = field(default_factory=set)


def read_output(spec: str) -> Stream:
    """The stream one command-line output names (a file, folder or table URL,
    NAME= before it as a sink's); a path that exists is never split."""
    name, target = (None, spec) if Path(spec).exists() else split_named(spec)
    if is_table_url(target):
        return read_table(target, name)
    return read_file(Path(target), name)


def verify(settings: Settings) -> Report:
    """Read every output and make every check; ConfigError for bad input."""
    if not settings.outputs:
        raise ConfigError("verify: name at least one output (a file or table URL)")
    if not 0 < settings.level < 1:
        raise ConfigError(f"--level must be between 0 and 1, not {settings.level}")
    references = [parse_reference(text) for text in settings.references]
    streams = [read_output(spec) for spec in settings.outputs]
    names = [stream.name for stream in streams]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ConfigError(
            f"verify: two outputs are stream '{twice[0]}': name them NAME=PATH"
        )
    manifest = read_manifest(settings.manifest) if settings.manifest else None
    faults = read_faults(settings.faults) if settings.faults else None
    refuse_unknown_streams(references, names, manifest.streams if manifest else ())
    plans = [
        _plan(stream, manifest, faults, streams, references, settings)
        for stream in streams
    ]
    by_name = {plan.stream.name: plan for plan in plans}
    if len(by_name) < len(plans):
        raise ConfigError(
            "verify: two outputs are one stream of the manifest: name them NAME=PATH"
        )
    for plan in plans:
        text = fault_spec_of(manifest, plan.record)
        spec = parse_faults(text, "--manifest faults spec") if text else None
        lag = settings.lag if settings.lag is not None else spec.lag if spec else None
        rates = spec.rates.values() if spec else ()
        plan.parents = _parents(plan, by_name)
        expect = Expectations(
            plan.time_field,
            plan.key_field,
            DEFAULT_LAG_SECONDS if lag is None else lag,
            plan.parents,
            rare_share(
                rates, [fault.fault for fault in plan.faults or ()], len(plan.stream)
            ),
        )
        if plan.stream.table:
            plan.excluded = _rows_of_faulted_keys(plan)
        else:
            plan.found = detect(plan.stream, expect)
            plan.excluded = set(plan.found) | {f.index for f in plan.faults or ()}
    checks: list[Check] = []
    for plan in plans:
        checks += _checks(plan, manifest, settings, len(plans))
    return Report({s.name: len(s) for s in streams}, _present(checks), settings.level)


def _present(checks: list[Check]) -> list[Check]:
    """The checks less an --against choice's skips on streams without its
    field, when another stream has it."""
    tested = {c.name for c in checks if "absent" not in c.details}
    return [c for c in checks if "absent" not in c.details or c.name not in tested]


def _plan(
    stream: Stream,
    manifest: RunManifest | None,
    faults: dict[str, list[Fault]] | None,
    streams: list[Stream],
    given_references: list[Reference],
    settings: Settings,
) -> _Plan:
    given = stream.name
    record = _record_of(stream, manifest, len(streams)) if manifest else None
    if record is not None:
        stream.name = record.name  # the run's name for it, in every check
    name = stream.name
    listed = None
    if faults is not None:
        listed = faults.get(name)
        if listed is None and len(faults) == 1 and len(streams) == 1:
            listed = next(iter(faults.values()))
        listed = listed or []
    references = dict(record.references) if record else {}
    for reference in given_references:
        if reference.child in (given, stream.name):
            references[reference.field] = reference.target
    first = next((r for _, r in stream.dicts()), {})
    time_field = settings.time_field or (record.time_field if record else None)
    if time_field is None and not stream.table:
        time_field = next((n for n in TIME_FIELDS if n in first), None)
    key_field = (
        settings.key_field
        or (record.key_field if record else None)
        or (stream.key_columns[0] if len(stream.key_columns) == 1 else None)
        or _guess_key(first)
    )
    return _Plan(
        stream,
        record,
        listed,
        time_field,
        settings.actor_field or (record.actor_field if record else None),
        key_field,
        references,
        dict(record.distributions) if record else {},
    )


def _record_of(
    stream: Stream, manifest: RunManifest, outputs: int
) -> StreamRecord | None:
    if stream.name in manifest.streams:
        return manifest.streams[stream.name]
    for record in manifest.streams.values():
        if any(_same_output(stream.source, output) for output in record.outputs):
            return record
    if outputs == 1 and len(manifest.streams) == 1:
        return next(iter(manifest.streams.values()))
    return None


def _same_output(source: str, output: str) -> bool:
    if "://" in output:
        return source == output
    return Path(source).resolve() == Path(output).resolve()


def _guess_key(record: dict[str, Any]) -> str | None:
    """The contract's fallback: the first top-level `id` or `*_id` field."""
    return next((n for n in record if n == "id" or n.endswith("_id")), None)


def _rows_of_faulted_keys(plan: _Plan) -> set[int]:
    """A table's rows whose key the faults manifest names: a table's rows
    have no output order, so a fault's index does not find them."""
    keys = {hashable(f.key) for f in plan.faults or () if f.key is not None}
    if not keys or plan.key_field is None:
        return set()
    return {
        index
        for index, row in plan.stream.dicts()
        if hashable(key_of(row, plan.key_field)) in keys
    }


def _parents(plan: _Plan, by_name: dict[str, _Plan]) -> dict[str, set[Any]]:
    found = {}
    for field_name, target in plan.references.items():
        name, _, key = target.partition(".")
        if (parent := by_name.get(name)) is not None:
            listed = [f.key for f in parent.faults or () if key == parent.key_field]
            found[field_name] = parent_keys(parent.stream, key, listed)
    return found


def _checks(
    plan: _Plan, manifest: RunManifest | None, settings: Settings, streams: int
) -> list[Check]:
    stream = plan.stream
    checks = [faulted_check(stream, plan.found, plan.faults)]
    if plan.record is not None and manifest is not None:
        checks.append(count_check(stream, plan.record, manifest.sinks))
        checks.append(fault_count_check(plan.record, plan.faults))
    configured = [(key, shares, True) for key, shares in plan.distributions.items()]
    configured += [(key, shares, False) for key, shares in settings.against.items()]
    for key, shares, required in configured:
        checks.append(
            choice_check(
                stream,
                key,
                shares,
                plan.excluded,
                settings.level,
                required=required,
                time_field=plan.time_field,
            )
        )
    for field_name, target in plan.references.items():
        keys = plan.parents.get(field_name)
        checks.append(reference_check(stream, field_name, target, keys, plan.excluded))
    checks.append(
        time_order_check(stream, plan.time_field, plan.actor_field, plan.excluded)
    )
    if settings.truth is not None:
        checks.append(_truth(plan, settings.truth, streams))
    return checks


def _truth(plan: _Plan, directory: Path, streams: int) -> Check:
    stream = plan.stream
    name = plan.record.name if plan.record else stream.name
    truth = read_truth(truth_file(directory, name, streams))
    if plan.key_field is None:
        return Check("ground truth", stream.name, SKIP, "no key field (--key FIELD)")
    listed = {f.index: f.key for f in plan.faults or ()}
    keys = left_out_keys(stream, plan.key_field, plan.excluded, listed)
    return truth_check(stream, truth, plan.key_field, plan.excluded, keys)
