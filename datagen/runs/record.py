"""What makes a run checkable: its faults, its ground truth and its record (--manifest).

A command makes one Checks from its options. Each run path opens a
StreamChecks per stream (the fault injector, and the observers that see the
stream's events before any fault: ground truth, the record's statistics) and
finishes it with the run's result. Checks.recording() wraps the whole run:
when it ends it writes the faults manifest (unless the run failed) and the
run manifest, always, marked interrupted or failed when it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from datagen.errors import ConfigError, first_line
from datagen.faults import (
    FaultInjector,
    FaultLog,
    FaultSpec,
    FaultsManifest,
    StreamShape,
    check_outputs,
    parse_faults,
    shape_of,
)
from datagen.faults.values import seconds_of
from datagen.files.atomic import write_atomic
from datagen.runs.loop import Observer, RunResult
from datagen.runs.truth import GroundTruth
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.changes import is_envelope
from datagen.timefmt import isoformat


def declared_faults(source: object, name: str) -> FaultSpec | None:
    """The faults a provider or model declares (its `declared_faults`, in
    --faults syntax), or None."""
    text = getattr(source, "declared_faults", None)
    return parse_faults(text, f"faults: of '{name}'") if text else None


class StreamStats:
    """The record's view of one stream's events (before faults): first and
    last event time, the keys' range and how many distinct."""

    def __init__(self, shape: StreamShape) -> None:
        self.shape = shape
        self.first: tuple[float, Any] | None = None
        self.last: tuple[float, Any] | None = None
        self.keys: set[Any] = set()

    def observe(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        if not self.shape.found:
            self.shape = self.shape.complete(events[0])
        time_field, key_field = self.shape.time_field, self.shape.key_field
        for event in events:
            if time_field is not None:
                self._time(event.get(time_field))
            if key_field is not None:
                self._key(event, key_field)

    def _time(self, value: Any) -> None:
        seconds = seconds_of(value)
        if seconds is None:
            return
        if self.first is None or seconds < self.first[0]:
            self.first = (seconds, value)
        if self.last is None or seconds > self.last[0]:
            self.last = (seconds, value)

    def _key(self, event: Mapping[str, Any], key_field: str) -> None:
        if key_field not in event and is_envelope(event):
            event = event.get("after") or event.get("before") or {}
        key = event.get(key_field)
        if key is not None and not isinstance(key, (dict, list)):
            self.keys.add(key)

    def summary(self) -> dict[str, Any]:
        keys: dict[str, Any] = {"min": None, "max": None, "distinct": len(self.keys)}
        try:
            keys.update(min=min(self.keys), max=max(self.keys))
        except (ValueError, TypeError):  # none, or of mixed types
            pass
        return {
            "first_event_time": None if self.first is None else self.first[1],
            "last_event_time": None if self.last is None else self.last[1],
            "keys": keys,
        }


class StreamChecks:
    """One stream's part of the checks: `injector` (None without faults)
    and `observers` go to run_loop; finish() takes its result."""

    def __init__(
        self,
        checks: Checks,
        shape: StreamShape,
        spec: FaultSpec | None,
        seed: int,
        paced: bool,
        sinks: Sequence[BaseSink],
    ) -> None:
        self.name = shape.name
        self.shape = shape
        self.spec = spec
        self.log: FaultLog = checks.faults_manifest.log(shape.name)
        self.injector = None
        if spec is not None and spec.active():
            self.injector = FaultInjector(spec, shape, seed, self.log, paced)
        self.outputs = [sink.describe() for sink in sinks]
        self.result: RunResult | None = None
        self.observers: list[Observer] = []
        self._truth_folder = checks.truth
        self._truth: GroundTruth | None = None
        if checks.truth is not None:
            self.observers.append(self._observe_truth)
        self.stats: StreamStats | None = None
        if checks.record is not None:
            self.stats = StreamStats(shape)
            self.observers.append(self.stats.observe)

    def _observe_truth(self, events: list[dict[str, Any]]) -> None:
        if self._truth is None:
            if not events:
                return
            key_field = self.shape.complete(events[0]).key_field
            if key_field is None:
                raise ConfigError(
                    f"--truth: stream '{self.name}' has no key field (no 'id' or "
                    "'*_id' field, and its source names none)"
                )
            assert self._truth_folder is not None
            self._truth = GroundTruth(self._truth_folder, self.name, key_field)
        self._truth.observe(events)

    def finish(self, result: RunResult) -> None:
        """The run ended (whole or interrupted): keep its result, write the
        ground truth (an empty one for a stream without events)."""
        self.result = result
        if self._truth_folder is None:
            return
        if self._truth is None:
            key = self.shape.key_field or "id"
            self._truth = GroundTruth(self._truth_folder, self.name, key)
        self._truth.write()

    def shape_now(self) -> StreamShape:
        """The shape with what the first event told."""
        if self.injector is not None and self.injector.shape.found:
            return self.injector.shape
        if self.stats is not None:
            return self.stats.shape
        return self.shape


@dataclass
class Checks:
    """What a command asked for: faults (None: each source's declared ones),
    the faults manifest, a ground truth folder, a run record."""

    faults: FaultSpec | None = None
    faults_manifest: FaultsManifest = field(
        default_factory=lambda: FaultsManifest(None)
    )
    truth: Path | None = None
    record: RunRecord | None = None
    streams: list[StreamChecks] = field(default_factory=list)

    def open(
        self,
        name: str,
        source: object,
        sinks: Sequence[BaseSink],
        seed: int,
        *,
        ordered: bool = False,
        paced: bool = False,
    ) -> StreamChecks:
        """The checks of stream `name`, made by `source` (a provider class or
        a model: its fields and declared faults) into `sinks`. ConfigError
        for faults the stream or a sink cannot hold. ordered: the stream
        comes in time order; paced: it is written as it is made. The
        sinks are aborted when it raises."""
        try:
            spec = self.faults
            if spec is None:
                spec = declared_faults(source, name)
            if spec is not None:
                check_outputs(spec, sinks)
            shape = shape_of(source, name, ordered)
            stream = StreamChecks(self, shape, spec, seed, paced, sinks)
        except BaseException:
            for sink in sinks:
                sink.abort()
            raise
        self.streams.append(stream)
        return stream

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Around a run: when it ends (whole, or interrupted) the faults
        manifest and the run manifest are written; when it fails, the run
        manifest only, saying why."""
        try:
            yield
        except BaseException as error:
            if self.record is not None:
                self.record.write(self.streams, error)
            raise
        else:
            self.faults_manifest.write()
            if self.record is not None:
                self.record.write(self.streams, None)
        finally:
            self.faults_manifest.close()


class RunRecord:
    """The run manifest (--manifest FILE, one JSON object): what a run was
    asked and what it wrote, stream by stream and sink by sink."""

    def __init__(
        self,
        path: Path,
        command: str,
        arguments: Sequence[str],
        seed: int | None,
        version: str,
        faults: FaultSpec | None = None,
        faults_manifest: Path | None = None,
    ) -> None:
        self.path = path
        self.command = command
        self.arguments = list(arguments)
        self.seed = seed
        self.version = version
        self.faults = faults
        self.faults_manifest = faults_manifest
        self.started = datetime.now(timezone.utc)
        self._clock = time.monotonic()
        #: Each stream's configured distributions, by stream name.
        self.distributions: dict[str, dict[str, dict[str, float]]] = {}

    def write(
        self, streams: Sequence[StreamChecks], error: BaseException | None
    ) -> Path:
        """Write the manifest atomically; `error`: what ended the run (an
        interruption, a sink that failed). OutputError when it cannot."""
        data = self.manifest(streams, error)
        write_atomic(self.path, orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        return self.path

    def manifest(
        self, streams: Sequence[StreamChecks], error: BaseException | None
    ) -> dict[str, Any]:
        results = [stream.result for stream in streams if stream.result is not None]
        interrupted = isinstance(error, KeyboardInterrupt) or any(
            result.interrupted for result in results
        )
        elapsed = results[0].elapsed if results else time.monotonic() - self._clock
        deliveries = self._deliveries(results, error)
        spec = self.faults or next((s.spec for s in streams if s.spec), None)
        data: dict[str, Any] = {
            "datagen": self.version,
            "command": self.command,
            "arguments": self.arguments,
            "seed": self.seed,
            "started": isoformat(self.started),
            "elapsed_seconds": round(elapsed, 3),
            "interrupted": interrupted,
        }
        if error is not None and not isinstance(error, KeyboardInterrupt):
            data["failed"] = first_line(error)
        data["faults"] = {
            "spec": None if spec is None else spec.text(),
            "manifest": (
                None if self.faults_manifest is None else str(self.faults_manifest)
            ),
        }
        data["streams"] = {
            stream.name: self._stream(stream, deliveries) for stream in streams
        }
        data["sinks"] = [
            {
                "name": delivery.sink,
                "stream": _stream_of(delivery, streams),
                "sent": delivery.sent,
                "acknowledged": delivery.acknowledged,
                "failed": delivery.failed,
            }
            for delivery in deliveries
        ]
        return data

    @staticmethod
    def _deliveries(
        results: Sequence[RunResult], error: BaseException | None
    ) -> list[Delivery]:
        found = [delivery for result in results for delivery in result.deliveries]
        return found or list(getattr(error, "deliveries", None) or [])

    def _stream(
        self, stream: StreamChecks, deliveries: Sequence[Delivery]
    ) -> dict[str, Any]:
        shape = stream.shape_now()
        result = stream.result
        if result is not None:
            count: int | None = result.count
        else:  # failed: what every sink of the stream confirmed
            mine = [d.acknowledged for d in deliveries if d.sink in stream.outputs]
            count = min(mine) if mine else None
        faulted = stream.log.counts
        entry: dict[str, Any] = {
            "count": count,
            "clean": None if count is None else count - sum(faulted.values()),
            "faulted": faulted,
            "key_field": shape.key_field,
            "time_field": shape.time_field,
            "actor_field": shape.actor_field,
        }
        entry.update(
            stream.stats.summary()
            if stream.stats is not None
            else StreamStats(shape).summary()
        )
        entry["distributions"] = self.distributions.get(stream.name, {})
        entry["references"] = dict(shape.references)
        entry["outputs"] = [_output_name(name) for name in stream.outputs]
        return entry


def _output_name(described: str) -> str:
    """A sink as the record names an output: a file by its path."""
    return described.removeprefix("file:")


def _stream_of(delivery: Delivery, streams: Sequence[StreamChecks]) -> str | None:
    """The stream a sink was given: the one whose outputs name it."""
    for stream in streams:
        if delivery.sink in stream.outputs:
            return stream.name
    return streams[0].name if len(streams) == 1 else None
