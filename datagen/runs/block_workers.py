"""work(item) for a sequence of items in forked worker processes, results in order.

Worker w takes items w, w+N, w+2N, ... (blocks are alike in cost, so a fixed
share balances) and sends each result down a pipe of its own. Nothing is shared
that a worker could die holding: multiprocessing.Pool shares one task queue and
one result queue, and a worker killed while holding either's lock (a SIGTERM to
the process group, a SIGKILL after a grace period) left Pool.terminate()
waiting for that lock for good (4 stops in 40 under load, in CI once). Here the
parent only reads, and holds no write end: a worker that dies, even half-way
through a result, is an end of file, noticed at once.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from datagen.engine.worker_pipes import Pipes, open_pipes, parent_ends, worker_end
from datagen.engine.worker_signals import (
    WorkerDied,
    leave_signals_to_parent,
    signals_held,
    worker_died,
)

T = TypeVar("T")
R = TypeVar("R")

#: How long a stopped worker may take to end before it is killed.
_GRACE_SECONDS = 5.0


def ordered_results(
    work: Callable[[T], R], items: Sequence[T], workers: int
) -> Iterator[R]:
    """work(item) for each item, yielded in item order, computed in `workers`
    forked processes. An exception raised by work is raised here. Closing the
    iterator early stops the workers."""
    context = multiprocessing.get_context("fork")
    workers = min(workers, len(items))
    pipes = open_pipes(context, workers)
    stopping = context.RawValue("b", 0)  # no lock: read in a signal handler
    parent = os.getpid()
    processes = [
        context.Process(
            target=_work,
            args=(work, items, w, pipes, parent, stopping),
            daemon=True,
        )
        for w in range(workers)
    ]
    with signals_held():  # a worker's first moments keep the parent's handlers
        for process in processes:
            process.start()
    receivers = parent_ends(pipes)
    try:
        for index in range(len(items)):
            w = index % workers
            yield _result(receivers[w], processes[w], w)
    finally:
        stopping.value = 1  # from now on SIGTERM ends a worker
        _stop(processes)
        for receiver in receivers:
            receiver.close()


def _work(
    work: Callable[[Any], Any],
    items: Sequence[Any],
    w: int,
    pipes: Pipes,
    parent: int,
    stopping: Any,
) -> None:
    """Worker w: its share of the items, each result (or the exception that
    stopped it) sent down its pipe. Signals are left to the parent."""
    leave_signals_to_parent(parent, stopping)
    sender = worker_end(pipes, w)
    try:
        for index in range(w, len(items), len(pipes)):
            sender.send((True, work(items[index])))
    except BaseException as exc:  # raised again in the parent
        try:
            sender.send((False, _picklable(exc)))
        except OSError:  # the parent has stopped reading
            pass
    sender.close()


def _picklable(exc: BaseException) -> BaseException:
    """exc if it survives pickling, else a WorkerDied carrying its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any failure to pickle or unpickle
        return WorkerDied(f"{type(exc).__name__}: {exc}")
    return exc


def _result(receiver: Connection, process: Any, w: int) -> Any:
    """The next result of worker w."""
    try:
        ok, value = receiver.recv()
    except (EOFError, OSError):  # OSError: it ended half-way through one
        process.join()
        raise worker_died(w, process.exitcode) from None
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
