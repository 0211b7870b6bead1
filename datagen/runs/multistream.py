"""Several document streams in one run (`document -p customers -q 1000 -p
orders ...`), parents before children, each to its own outputs.

A stream whose fields reference another (orders' customer_id -> customers.id,
see datagen.references) runs after it. While a parent is written, its pool
observes its documents before any fault and gathers the fields its children
read, so a faulted parent never hands a child a key it lacks; before a child
starts, its samplers (or its records_per assignment, which also sets its
count) are built, and its workers fork with all of it. Each stream is an
ordinary document run (run_documents) with the run's seed and its own checks
(faults, ground truth, its part of the run's record), so a stream nothing
references writes the same bytes as when it runs alone.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from datagen.documents import DOCUMENT_PROVIDERS
from datagen.errors import ConfigError
from datagen.references import (
    Reference,
    RunReferences,
    active_references,
    stream_order,
)
from datagen.runs.documents import DocumentJob, run_documents
from datagen.runs.loop import ProgressCallback, RunResult
from datagen.runs.outputs import Destination, Outputs
from datagen.runs.record import Checks
from datagen.timefmt import DEFAULT_START


@dataclass(frozen=True)
class Stream:
    """One stream of a run: its provider, its count (None when records_per
    sets it from its parents) and where it goes (Outputs, or sinks)."""

    provider: str
    quantity: int | None
    to: Destination


@dataclass(frozen=True)
class StreamResult:
    """A stream as written: its provider, count asked for and RunResult."""

    provider: str
    requested: int
    result: RunResult


#: Called as a stream starts (provider, count): its progress callback, or None.
OnStart = Callable[[str, int], ProgressCallback | None]
#: Called as a stream ends; may raise to stop the run (e.g. a summary's exit).
OnEnd = Callable[[StreamResult], None]


def stream_references(provider: str) -> tuple[Reference, ...]:
    """The provider's references to other streams (ConfigError for a bad
    one; UnknownName for a provider that does not exist)."""
    return DOCUMENT_PROVIDERS.get(provider).stream_references()


def takes_count(provider: str) -> bool:
    """False when records_per sets the provider's count from its parents."""
    return not any(ref.records_per for ref in stream_references(provider))


def pair_counts(
    providers: Sequence[str], quantities: Sequence[int]
) -> dict[str, int | None]:
    """{provider: count} from -p and -q as given: the n-th count is the n-th
    provider's whose count no records_per sets (those get None); none given,
    each gets 1. ConfigError when the numbers do not match."""
    free = [name for name in providers if takes_count(name)]
    if quantities and len(quantities) != len(free):
        fixed = [name for name in providers if name not in free]
        also = (
            f"; records_per counts {', '.join(fixed)}, which take no -q"
            if fixed
            else ""
        )
        streams = "1 stream takes" if len(free) == 1 else f"{len(free)} streams take"
        raise ConfigError(
            f"-q is given {_times(len(quantities))} but {streams} a count "
            f"({', '.join(free)}): give one -q per -p, in the same order{also}"
        )
    counts = dict(zip(free, quantities or [1] * len(free)))
    return {name: counts.get(name) for name in providers}


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def order_streams(
    providers: Sequence[str],
) -> tuple[list[str], dict[str, tuple[Reference, ...]]]:
    """The providers in the order they run (parents first) and what each
    references; ConfigError for a provider given twice, a reference to a
    stream not in the run, or a cycle."""
    for name in providers:
        if providers.count(name) > 1:
            raise ConfigError(f"-p {name} is given {_times(providers.count(name))}")
    references = {name: stream_references(name) for name in providers}
    return stream_order(references), references


def plan_streams(
    streams: Sequence[Stream],
) -> tuple[list[Stream], dict[str, tuple[Reference, ...]]]:
    """The streams in the order they run and what they reference (see
    order_streams); ConfigError also for a count records_per sets, or none."""
    given = {stream.provider: stream for stream in streams}
    order, references = order_streams([stream.provider for stream in streams])
    for name, stream in given.items():
        _check_count(stream, references[name])
    return [given[name] for name in order], references


def _check_count(stream: Stream, references: Sequence[Reference]) -> None:
    many = next((ref for ref in references if ref.records_per), None)
    if many is None and stream.quantity is None:
        raise ConfigError(f"{stream.provider}: give its count (-q)")
    if many is not None and stream.quantity is not None:
        low, high = many.records_per or (0, 0)
        raise ConfigError(
            f"{stream.provider} takes its count from records_per on "
            f"{many.field} ({low} to {high} per {many.stream} record): give it no -q"
        )


def run_streams(
    streams: Sequence[Stream],
    seed: int,
    *,
    format: str = "jsonl",
    locale: str = "en",
    now: datetime = DEFAULT_START,
    workers: int = 1,
    on_start: OnStart | None = None,
    on_end: OnEnd | None = None,
    checks: Checks | None = None,
    engine: str = "auto",
) -> list[StreamResult]:
    """Generate each stream in turn, parents first, into its own outputs;
    every reference holds a key of a record its parent stream wrote. The
    bytes depend on the streams and seed only, never on `workers`. Stops
    after a stream that was interrupted. `checks`: each stream's faults (the
    checks' spec on every stream, see Checks.across; else the provider's
    declared ones), ground truth and part of the record. Raises ConfigError
    (before anything is written for a bad plan) or what a stream's run
    raises. `engine`: each stream's (see datagen.runs.columnar)."""
    ordered, references = plan_streams(streams)
    if checks is not None:
        checks.across([name for name, refs in references.items() if refs])
    run = RunReferences(seed, references)
    results: list[StreamResult] = []
    with active_references(run):
        for stream in ordered:
            # The sinks of the streams before are closed; collected here, not
            # in a forked worker (a Kafka producer freed there crashes it).
            gc.collect()
            count = run.prepare(stream.provider)
            quantity = stream.quantity if count is None else count
            assert quantity is not None  # plan_streams checked it
            job = DocumentJob(
                stream.provider,
                quantity,
                seed,
                None,
                format,
                locale,
                now,
                engine=engine,
            )
            if isinstance(stream.to, Outputs):
                job = replace(job, format=stream.to.encoding, output=stream.to.path)
            progress = on_start(stream.provider, quantity) if on_start else None
            pool = run.pools.get(stream.provider)
            gather = () if pool is None else (pool.gather,)  # clean documents
            result = run_documents(job, stream.to, workers, progress, checks, gather)
            done = StreamResult(stream.provider, quantity, result)
            results.append(done)
            if on_end is not None:
                on_end(done)
            if result.interrupted or result.reader_gone:
                break
    return results
