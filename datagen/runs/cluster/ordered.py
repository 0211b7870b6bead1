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
    each: Callable[[R], None] | None = None,
) -> ClusterResults[T, R]:
    """work(item) for each item, yielded in item order, as tasks on the
    cluster; an exception raised by work is raised here. Closing the
    iterator early cancels what is still in flight. `each` is called on
    every result, in order, before it is yielded."""
    return ClusterResults(cluster, work, items, ahead, each)


class ClusterResults(Generic[T, R]):
    """The iterator cluster_results returns. Not a generator: a Ctrl-C
    raised while it waits leaves it usable, so finish() can still collect
    the tasks under way (their parts are published whatever the driver does)."""

    def __init__(
        self,
        cluster: ActiveCluster,
        work: Callable[[T], R],
        items: Sequence[T] | Iterator[T],
        ahead: int | None = None,
        each: Callable[[R], None] | None = None,
    ) -> None:
        self._each = each
        self._client = cluster.client
        self._ahead = ahead or 2 * cluster.workers() + 2
        self._task = Shipped(work, cluster.setup)
        self._prefix = f"datagen-{uuid.uuid4().hex[:12]}"
        self._numbered: Iterator[tuple[int, T]] = enumerate(items)
        self._flight: deque[Any] = deque()
        self._started = False
        #: Stopped twice: tasks were left running (what they publish is
        #: not counted).
        self.left_running = False

    def __iter__(self) -> ClusterResults[T, R]:
        return self

    def __next__(self) -> R:
        if not self._started:
            self._started = True
            self._submit(self._ahead)
        if not self._flight:
            raise StopIteration
        result = self._first()
        self._submit(1)
        return result

    def in_flight(self) -> int:
        """Tasks submitted whose results are not yet taken."""
        return len(self._flight)

    def finish(self) -> Iterator[R]:
        """The results of the tasks in flight, in order, submitting no more;
        a Ctrl-C while waiting cancels those left and is raised."""
        self._numbered = iter(())
        try:
            while self._flight:
                yield self._first()
        finally:
            self.close()

    def close(self) -> None:
        """Cancel the tasks still in flight."""
        if self._flight:
            self._client.cancel(list(self._flight))
            self._flight.clear()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - the client may be closed by now
            pass

    def _first(self) -> R:
        """The result of the first task in flight, which leaves the flight."""
        result: R = _result_of(self._flight[0])
        self._flight.popleft().release()
        if self._each is not None:
            self._each(result)
        return result

    def _submit(self, how_many: int) -> None:
        for index, item in islice(self._numbered, how_many):
            key = f"{self._prefix}-{index}"
            self._flight.append(
                self._client.submit(self._task, item, key=key, pure=False)
            )


def finished_on_stop(
    results: ClusterResults[T, R],
    record: Callable[[R], None],
    notice: Callable[[str], None],
) -> bool:
    """record() each result; True when stopped by Ctrl-C. A task under way
    publishes its part (and sends to its sinks) whatever the driver does, so
    on Ctrl-C the tasks in flight are waited for and recorded too: the count
    is what the parts hold. A second Ctrl-C leaves them running."""
    try:
        for result in results:
            record(result)
        return False
    except KeyboardInterrupt:
        notice(
            f"stopping: waiting for the {results.in_flight()} shards under way"
            " to end (Ctrl-C again to leave them)"
        )
        try:
            for result in results.finish():
                record(result)
        except KeyboardInterrupt:
            results.left_running = True
        return True
    finally:
        results.close()


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
