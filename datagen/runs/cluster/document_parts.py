"""`document --cluster` writing from the workers: each shard a part file (in
a folder or an object store) and its events to the run's sinks, opened by
the worker; the driver adds up the counts and writes the manifest.

A part is published whole or not at all (PartStore.writing), so a shard
run again after its worker died replaces its part: never two copies. Parts
of a run stopped half-way stay, and --resume makes only the missing ones.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from datagen.errors import ConfigError, SinkError
from datagen.files.part_store import PartStore, open_part_store
from datagen.redaction import redact
from datagen.runs.blocks import run_block_job
from datagen.runs.cluster.active import ActiveCluster
from datagen.runs.cluster.ordered import cluster_results, finished_on_stop
from datagen.runs.cluster.part_files import (
    MANIFEST,
    RUN_FILE,
    absolute_location,
    earlier_run,
    part_sink,
)
from datagen.runs.cluster.shards import Shard, balanced_shard, plan_shards
from datagen.runs.documents import DocumentJob, check_job, make_documents
from datagen.runs.loop import RunResult
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.files import JsonArrayEncoder
from datagen.sinks.router import open_sinks

#: Extension of a part by format (`json` in parts is one JSON array, split).
EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "json": "json", "parquet": "parquet"}


@dataclass(frozen=True)
class PartsTarget:
    """Where shards write: parts in `location` (a folder or s3:// URL; None
    for none) in `format`, and the --sink specs each worker opens."""

    location: str | None
    format: str = "jsonl"
    sinks: tuple[str, ...] = ()


@dataclass
class ShardDone:
    """What one shard wrote: its part (name, bytes, sha256) and each sink's counts."""

    index: int
    count: int
    part: str | None = None
    size: int = 0
    sha256: str = ""
    deliveries: list[Delivery] = field(default_factory=list)


def write_shard(job: DocumentJob, target: PartsTarget, shard: Shard) -> ShardDone:
    """A cluster task: the shard's documents into its part and the sinks."""
    sinks: list[BaseSink] = list(open_sinks(target.sinks))
    if target.location is None:
        return ShardDone(shard.index, shard.count, deliveries=_run(job, shard, sinks))
    try:
        store = open_part_store(target.location, create=False)
        name = shard.part_name(EXTENSIONS[target.format])
        with store.writing(name) as path:
            encoder = None if target.format == "parquet" else _encoder(job, target)
            part = part_sink(path, target.format, encoder, shard.first, shard.last)
            deliveries = _run(job, shard, [part, *sinks])
            size, digest = _digest(path)
    except BaseException:
        for sink in sinks:
            sink.abort()  # run_loop closed them, unless the part never started
        raise
    return ShardDone(shard.index, shard.count, name, size, digest, deliveries[1:])


def _encoder(job: DocumentJob, target: PartsTarget) -> Any:
    return JsonArrayEncoder() if target.format == "json" else job.encoder()


def _run(job: DocumentJob, shard: Shard, sinks: list[BaseSink]) -> list[Delivery]:
    """The shard's blocks through the one run loop, in this process; a sink
    that did not take everything fails the task (Dask then says so)."""
    result = run_block_job(
        partial(make_documents, job),
        list(shard.blocks),
        sinks,
        target=f"shard {shard.index}",
        seed=job.seed,
    )
    for delivery in result.deliveries:
        if not delivery.complete:
            raise SinkError(
                f"shard {shard.index}: {delivery.summary()} (the worker's log"
                " says why)"
            )
    return result.deliveries


def _digest(source: Path | BinaryIO) -> tuple[int, str]:
    """A part's size and SHA-256 (a path, or a stream read to its end)."""
    if isinstance(source, Path):
        with open(source, "rb") as file:
            return _digest(file)
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def run_document_parts(
    job: DocumentJob,
    target: PartsTarget,
    cluster: ActiveCluster,
    on_progress: Callable[[int], None] | None = None,
    resume: bool = False,
    notice: Callable[[str], None] = lambda line: None,
) -> RunResult:
    """The job as shards on the cluster, written by the workers; with
    `resume`, only the shards whose part is missing. The manifest lists the
    parts in order; the result counts every document and each sink's
    deliveries, added up over the shards. Stopped (Ctrl-C), it waits for the
    shards under way, saying so through `notice`."""
    started = time.monotonic()
    target = replace(target, location=absolute_location(target.location))
    job = check_job(replace(job, format=_row_format(target.format)))
    store = None if target.location is None else open_part_store(target.location)
    shard_items = cluster.shard_items or (resume and _planned_shard(store)) or 0
    shard_items = shard_items or balanced_shard(job.quantity, cluster)
    shards = plan_shards(job.blocks(), shard_items)
    plan = _plan(job, target, len(shards), shard_items)
    done: dict[int, ShardDone] = {}
    if store is not None:
        done = _prepare(store, plan, shards, target, resume)
    todo = [shard for shard in shards if shard.index not in done]
    totals: dict[str, Delivery] = {}
    count = kept = sum(shard.count for shard in done.values())
    if on_progress is not None and count:
        on_progress(count)

    def record(finished: ShardDone) -> None:
        nonlocal count
        done[finished.index] = finished
        count += finished.count
        _add(totals, finished.deliveries)
        if on_progress is not None:
            on_progress(finished.count)

    results = cluster_results(cluster, partial(write_shard, job, target), todo)
    interrupted = finished_on_stop(results, record, notice)
    if results.left_running and store is not None:
        count = _published_count(store, shards, target)  # what is there now
    if store is not None and not interrupted:
        store.remove_leftovers()  # of a worker killed mid-part
        _publish_manifest(store, plan, [done[shard.index] for shard in shards])
    where = target.location or ", ".join(redact(spec) for spec in target.sinks)
    return RunResult(
        count,
        job.quantity,
        redact(where),
        job.seed,
        time.monotonic() - started,
        interrupted=interrupted,
        deliveries=list(totals.values()),
        made_before=kept,
    )


def _planned_shard(store: PartStore | None) -> int | None:
    """The shard size of the run whose parts the store holds (a resumed run
    keeps it, whatever the cluster's workers are now)."""
    if store is None or not store.exists(RUN_FILE):
        return None
    stored = json.loads(store.read_bytes(RUN_FILE)).get("shard_items")
    return int(stored) if stored else None


def _published_count(store: PartStore, shards: list[Shard], target: PartsTarget) -> int:
    """Documents in the parts the store holds now."""
    present = set(store.names("part-"))
    extension = EXTENSIONS[target.format]
    return sum(s.count for s in shards if s.part_name(extension) in present)


def _row_format(format_: str) -> str:
    """The job's own format: parts of a JSON array are made as JSON lines'
    documents (the array framing is the parts'), Parquet's as dicts."""
    return "jsonl" if format_ in ("json", "parquet") else format_


def _add(totals: dict[str, Delivery], deliveries: list[Delivery]) -> None:
    for delivery in deliveries:
        total = totals.setdefault(delivery.sink, Delivery(delivery.sink))
        for name in ("sent", "acknowledged", "failed", "retried", "unknown"):
            setattr(total, name, getattr(total, name) + getattr(delivery, name))


def resumed_seed(location: str) -> int | None:
    """The seed of the run whose parts are in location (None: no run there):
    a resumed run without --seed goes on with it."""
    store = open_part_store(location, create=False)
    if not store.exists(RUN_FILE):
        return None
    return int(json.loads(store.read_bytes(RUN_FILE))["seed"])


def _plan(
    job: DocumentJob, target: PartsTarget, shards: int, shard_items: int
) -> dict[str, Any]:
    """What decides the parts' bytes: a resumed run must match it."""
    return {
        "command": "document",
        "provider": job.provider,
        "quantity": job.quantity,
        "seed": job.seed,
        "format": target.format,
        "locale": job.locale,
        "now": job.now.isoformat(),
        "engine": job.engine,
        "shards": shards,
        "shard_items": shard_items,
        "sinks": [redact(spec) for spec in target.sinks],
    }


def _prepare(
    store: PartStore,
    plan: dict[str, Any],
    shards: list[Shard],
    target: PartsTarget,
    resume: bool,
) -> dict[int, ShardDone]:
    """A fresh run clears an earlier run's parts; a resumed one checks the
    plan is the same and keeps the parts already published (whole, since
    each is published at once)."""
    store.remove_leftovers()  # parts half-written by workers that died
    earlier = earlier_run(store)
    if not resume:
        for name in earlier:
            store.delete(name)
        store.publish_bytes(RUN_FILE, _json(plan))
        return {}
    if RUN_FILE not in earlier:
        raise ConfigError(f"--resume: {store.describe()} holds no run to resume")
    before = json.loads(store.read_bytes(RUN_FILE))
    changed = sorted(key for key in plan if before.get(key) != plan[key])
    if changed:
        raise ConfigError(
            f"--resume: {store.describe()} holds another run (it differs in"
            f" {', '.join(changed)})"
        )
    extension = EXTENSIONS[target.format]
    present = set(earlier)
    kept = {}
    for shard in shards:
        name = shard.part_name(extension)
        if name in present:
            with store.open_read(name) as part:
                size, digest = _digest(part)
            kept[shard.index] = ShardDone(shard.index, shard.count, name, size, digest)
    return kept


def _publish_manifest(
    store: PartStore, plan: dict[str, Any], parts: list[ShardDone]
) -> None:
    manifest = {
        "run": plan,
        "count": sum(part.count for part in parts),
        "parts": [
            {k: v for k, v in asdict(part).items() if k != "deliveries"}
            for part in parts
            if part.part is not None
        ],
    }
    store.publish_bytes(MANIFEST, _json(manifest))


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode()
