"""work(item) for a sequence of items as Dask tasks, results in item order.

The cluster's answer to block_workers.ordered_results: a bounded number of
tasks is in flight (what the workers can run, twice over), so a run of 10**9
items plans nothing up front and the driver holds a few results at most. A
worker lost mid-task has the task run again elsewhere by the scheduler;
results are keyed by item index, so the run still yields each item once.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar

from datagen.errors import ProviderError
from datagen.runs.cluster.active import ActiveCluster, WorkerSetup

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Shipped(Generic[T, R]):
    """work(item) in a worker, after the run's setup (idempotent, so it is
    simply called before each task: a lookup once set up)."""

    work: Callable[[T], R]
    setup: WorkerSetup | None = None

    def __call__(self, item: T) -> R:
        if self.setup is not None:
            self.setup()
        return self.work(item)


def cluster_results(
    cluster: ActiveCluster,
    work: Callable[[T], R],
    items: Sequence[T] | Iterator[T],
    ahead: int | None = None,
) -> Iterator[R]:
    """work(item) for each item, yielded in item order, as tasks on the
    cluster; an exception raised by work is raised here. Closing the
    iterator early cancels what is still in flight."""
    client = cluster.client
    ahead = ahead or 2 * cluster.workers() + 2
    task = Shipped(work, cluster.setup)
    prefix = f"datagen-{uuid.uuid4().hex[:12]}"
    numbered = enumerate(items)
    flight: deque[Any] = deque()

    def submit(batch: Iterator[tuple[int, T]]) -> None:
        for index, item in batch:
            key = f"{prefix}-{index}"
            flight.append(client.submit(task, item, key=key, pure=False))

    try:
        submit(islice(numbered, ahead))
        while flight:
            future = flight.popleft()
            result = _result_of(future)
            future.release()
            submit(islice(numbered, 1))
            yield result
    finally:
        if flight:
            client.cancel(list(flight))


def _result_of(future: Any) -> Any:
    """The task's result; the error it raised, as it was; a task whose
    workers kept dying is one line."""
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        raise ProviderError(
            f"cluster: a task's workers died {_tries(exc)}; the run stops"
            " (see the workers' logs: memory, a killed process)"
        ) from None


def _tries(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    return f"({args[0]})" if args else "again and again"
