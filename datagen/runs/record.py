"""What makes a run checkable: its faults, its ground truth and its record (--manifest).

A command makes one Checks from its options. Each run path opens a
StreamChecks per stream (the fault injector, and the observers that see the
stream's events before any fault: ground truth, the record's statistics) and
finishes it with the run's result. Checks.recording() wraps the whole run:
when it ends it writes the faults manifest (unless the run failed) and the
run manifest, always, marked interrupted or failed when it was.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.errors import ConfigError
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
from datagen.runs.loop import Observer, RunResult
from datagen.runs.run_manifest import RunRecord, StreamStats
from datagen.runs.truth import GroundTruth
from datagen.sinks.base import BaseSink


def declared_faults(source: object, name: str) -> FaultSpec | None:
    """The faults a provider or model declares (its `declared_faults`, in
    --faults syntax), or None."""
    text = getattr(source, "declared_faults", None)
    return parse_faults(text, f"faults: of '{name}'") if text else None


def fitting(spec: FaultSpec, shape: StreamShape) -> FaultSpec:
    """A spec given for several streams as one stream takes it: without
    dangling when the stream has no reference field."""
    if shape.references or "dangling" not in spec.rates:
        return spec
    rates = {kind: rate for kind, rate in spec.rates.items() if kind != "dangling"}
    return FaultSpec(rates, spec.lag)


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


#: A stream's run given its fault injector (None without faults) and the
#: observers of its events before any fault.
CheckedRun = Callable[[FaultInjector | None, Sequence[Observer]], RunResult]


def run_checked(
    checks: Checks | None,
    name: str,
    source: object,
    sinks: Sequence[BaseSink],
    seed: int,
    run: CheckedRun,
    *,
    ordered: bool = False,
    paced: bool = False,
) -> RunResult:
    """run() one stream with its checks (Checks.open's arguments; none when
    `checks` is None), which then take its result."""
    if checks is None:
        return run(None, ())
    stream = checks.open(name, source, sinks, seed, ordered=ordered, paced=paced)
    result = run(stream.injector, stream.observers)
    stream.finish(result)
    return result


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
    #: `faults` covers several streams (see across()).
    several: bool = False

    def across(self, referring: Collection[str]) -> None:
        """`faults` covers every stream of a run of several, of which
        `referring` refer to another: a stream without a reference field
        takes all but its dangling rate. ConfigError when dangling has a
        rate and no stream refers to another."""
        if self.faults is not None and self.faults.rates.get("dangling", 0) > 0:
            if not referring:
                raise ConfigError(
                    "--faults dangling: no stream of this run has a reference "
                    "field (no field refers to another stream)"
                )
        self.several = True

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
            shape = shape_of(source, name, ordered)
            spec = self.faults
            if spec is None:
                spec = declared_faults(source, name)
            elif self.several:
                spec = fitting(spec, shape)
            if spec is not None:
                check_outputs(spec, sinks)
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
