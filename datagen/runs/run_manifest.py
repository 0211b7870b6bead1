"""The run manifest (--manifest FILE): what a run was asked and what it
wrote, stream by stream and sink by sink, from each stream's checks and the
record's statistics of its events."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import orjson

from datagen.errors import first_line
from datagen.faults import FaultLog, FaultSpec, StreamShape
from datagen.files.atomic import write_atomic
from datagen.runs.loop import RunResult
from datagen.sinks.base import Delivery
from datagen.sinks.changes import is_envelope
from datagen.timefmt import epoch_seconds, isoformat


class StreamChecks(Protocol):
    """What the manifest reads of a stream's checks (runs/record.py's)."""

    name: str
    spec: FaultSpec | None
    log: FaultLog
    outputs: list[str]
    result: RunResult | None
    #: Made for every stream of a run with a record.
    stats: StreamStats | None


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
        if time_field is not None and self.shape.ordered:
            # in time order: the least and most times are a batch's ends
            any(self._time(event.get(time_field)) for event in events)
            any(self._time(event.get(time_field)) for event in reversed(events))
        elif time_field is not None:
            for event in events:
                self._time(event.get(time_field))
        if key_field is not None:
            for event in events:
                self._key(event, key_field)

    def _time(self, value: Any) -> bool:
        """Take a time into the first and last; False when it is none."""
        seconds = epoch_seconds(value)
        if seconds is None:
            return False
        if self.first is None or seconds < self.first[0]:
            self.first = (seconds, value)
        if self.last is None or seconds > self.last[0]:
            self.last = (seconds, value)
        return True

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
        elapsed = (  # several streams run one after another
            sum(result.elapsed for result in results)
            if results
            else time.monotonic() - self._clock
        )
        deliveries = _deliveries(streams, error)
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
                "stream": name,
                "sent": delivery.sent,
                "acknowledged": delivery.acknowledged,
                "failed": delivery.failed,
            }
            for name, delivery in deliveries
        ]
        return data

    def _stream(
        self, stream: StreamChecks, deliveries: Sequence[tuple[str | None, Delivery]]
    ) -> dict[str, Any]:
        stats = stream.stats
        assert stats is not None  # see StreamChecks.stats
        shape = stats.shape  # completed by the first event, as the injector's
        result = stream.result
        if result is not None:
            count: int | None = result.count
        else:  # failed: what every sink of the stream confirmed
            mine = [d.acknowledged for name, d in deliveries if name == stream.name]
            count = min(mine) if mine else None
            if count is not None:  # the faults of records no sink confirmed
                stream.log.settle(count)
        faulted = stream.log.counts
        entry: dict[str, Any] = {
            "count": count,
            "clean": None if count is None else count - sum(faulted.values()),
            "faulted": faulted,
            # its own: streams of one run may declare different faults
            "faults_spec": None if stream.spec is None else stream.spec.text(),
            "key_field": shape.key_field,
            "time_field": shape.time_field,
            "actor_field": shape.actor_field,
        }
        entry.update(stats.summary())
        entry["distributions"] = self.distributions.get(stream.name, {})
        entry["references"] = dict(shape.references)
        entry["outputs"] = [_output_name(name) for name in stream.outputs]
        return entry


def _output_name(described: str) -> str:
    """A sink as the record names an output: a file by its path."""
    return described.removeprefix("file:")


def _deliveries(
    streams: Sequence[StreamChecks], error: BaseException | None
) -> list[tuple[str | None, Delivery]]:
    """Each sink's counts with the name of the stream it was given: those of
    the streams that ended (their results'), then those the error carries
    (a failed run: the sinks of the stream it stopped, which has no result).
    Two streams' sinks may have the same name, so a sink's stream is the
    run it came from, not its name."""
    found = [
        (stream.name, delivery)
        for stream in streams
        if stream.result is not None
        for delivery in stream.result.deliveries
    ]
    known = {id(delivery) for _, delivery in found}
    failing = next((s.name for s in reversed(streams) if s.result is None), None)
    carried = getattr(error, "deliveries", None) or []
    return found + [
        (failing, delivery) for delivery in carried if id(delivery) not in known
    ]
