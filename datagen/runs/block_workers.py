"""work(item) for a sequence of items in forked worker processes, results in order.

Worker w takes items w, w+N, w+2N, ... (blocks are alike in cost, so a fixed
share balances) and sends each result on a queue of its own. Nothing is shared
that a worker could die holding: multiprocessing.Pool shares one task queue and
one result queue, and a worker killed while holding either's lock (a SIGTERM to
the process group, a SIGKILL after a grace period) left Pool.terminate()
waiting for that lock for good (4 stops in 40 under load, in CI once). Here the
parent only reads, and a worker that dies is noticed, not waited for.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from queue import Empty
from typing import Any, TypeVar

from datagen.engine.worker_signals import leave_signals_to_parent, signals_held
from datagen.errors import DatagenError

T = TypeVar("T")
R = TypeVar("R")

#: Results a worker may have done but not yet taken: bounds memory.
AHEAD = 4
#: How often a waiting parent checks that the worker it waits for is alive.
_POLL_SECONDS = 0.5
#: How long a stopped worker may take to end before it is killed.
_GRACE_SECONDS = 5.0


class WorkerDied(DatagenError):
    """A worker process ended without sending its result."""


def ordered_results(
    work: Callable[[T], R], items: Sequence[T], workers: int
) -> Iterator[R]:
    """work(item) for each item, yielded in item order, computed in `workers`
    forked processes. An exception raised by work is raised here. Closing the
    iterator early stops the workers."""
    context = multiprocessing.get_context("fork")
    workers = min(workers, len(items))
    queues = [context.Queue(maxsize=AHEAD) for _ in range(workers)]
    stopping = context.RawValue("b", 0)  # no lock: read in a signal handler
    parent = os.getpid()
    processes = [
        context.Process(
            target=_work,
            args=(work, items, w, workers, queues[w], parent, stopping),
            daemon=True,
        )
        for w in range(workers)
    ]
    with signals_held():  # a worker's first moments keep the parent's handlers
        for process in processes:
            process.start()
    try:
        for index in range(len(items)):
            w = index % workers
            yield _result(queues[w], processes[w], w)
    finally:
        stopping.value = 1  # from now on SIGTERM ends a worker
        _stop(processes)
        for queue in queues:
            queue.close()
            queue.cancel_join_thread()


def _work(
    work: Callable[[Any], Any],
    items: Sequence[Any],
    w: int,
    workers: int,
    queue: Any,
    parent: int,
    stopping: Any,
) -> None:
    """Worker w: its share of the items, each result (or the exception that
    stopped it) put on its queue. Signals are left to the parent."""
    leave_signals_to_parent(parent, stopping)
    try:
        for index in range(w, len(items), workers):
            queue.put((True, work(items[index])))
    except BaseException as exc:  # raised again in the parent
        queue.put((False, _picklable(exc)))
    queue.close()
    queue.join_thread()


def _picklable(exc: BaseException) -> BaseException:
    """exc if it survives pickling (the queue's thread would drop it silently
    otherwise), else a WorkerDied carrying its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any failure to pickle or unpickle
        return WorkerDied(f"{type(exc).__name__}: {exc}")
    return exc


def _result(queue: Any, process: Any, w: int) -> Any:
    """The next result of worker w, waiting as long as it is alive."""
    while True:
        try:
            ok, value = queue.get(timeout=_POLL_SECONDS)
        except Empty:
            if process.is_alive():
                continue
            try:  # it may have put its last result just before ending
                ok, value = queue.get(timeout=_POLL_SECONDS)
            except Empty:
                raise WorkerDied(
                    f"worker {w + 1} ended without its result "
                    f"(exit code {process.exitcode})"
                ) from None
        if ok:
            return value
        raise value


def _stop(processes: Sequence[Any]) -> None:
    """End the workers: SIGTERM, then SIGKILL for any still alive after the
    grace period. Nothing here waits on a lock a worker could hold."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
