"""The cluster a run uses, set by the command for the run's length.

A run's code asks `active_cluster()` where its blocks go: None is this
machine (one process, or --workers forked ones). Set with `using_cluster`,
so the runs' signatures do not carry a client they pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

#: Run once in a worker before its first task: registers what the driver
#: read from declaration files (their classes do not pickle), and the like.
WorkerSetup = Callable[[], None]


@dataclass(frozen=True)
class ActiveCluster:
    """A connected distributed.Client and what each worker needs first."""

    client: Any
    setup: WorkerSetup | None = None
    #: Items (documents, events) per shard; None: the run's own block size.
    shard_items: int | None = None

    def workers(self) -> int:
        """Worker threads the scheduler knows of now (at least 1)."""
        info = self.client.scheduler_info()
        threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        return max(threads, 1)


_active: ContextVar[ActiveCluster | None] = ContextVar("datagen_cluster", default=None)


def active_cluster() -> ActiveCluster | None:
    """The cluster of the run under way, if it has one."""
    return _active.get()


@contextmanager
def using_cluster(cluster: ActiveCluster) -> Iterator[ActiveCluster]:
    """Runs started in the with-block use `cluster`."""
    token = _active.set(cluster)
    try:
        yield cluster
    finally:
        _active.reset(token)
