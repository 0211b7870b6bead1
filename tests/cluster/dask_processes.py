"""A Dask cluster of real processes for the tests: `dask scheduler` and
`dask worker`, the console scripts scripts/services.sh runs, on free
127.0.0.1 ports, in the repository with its modules importable.

The workers run without a nanny, so a worker's PID is the process that runs
the tasks: a test that kills it ends that worker for good (a nanny would
start it again) and the run has to finish on the others.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.services import ROOT, ServerProcess, free_port

DASK = str(Path(sys.executable).parent / "dask")
#: As services.sh runs Dask: cwd the repository, its modules importable.
IN_REPO = ["env", "-C", str(ROOT), f"PYTHONPATH={ROOT}"]


def scheduler_command(port: int, dashboard: int) -> list[str]:
    return [
        *IN_REPO,
        DASK,
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dashboard-address",
        f"127.0.0.1:{dashboard}",
    ]


def worker_command(address: str, port: int) -> list[str]:
    return [
        *IN_REPO,
        DASK,
        "worker",
        address,
        "--host",
        "127.0.0.1",
        "--worker-port",
        str(port),
        "--nthreads",
        "1",
        "--no-nanny",
        "--no-dashboard",
    ]


@dataclass
class DaskCluster:
    """A scheduler and its workers; `address` is what --cluster takes."""

    scheduler: ServerProcess
    workers: list[ServerProcess] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.scheduler.port}"

    @classmethod
    def start(cls, workers: int = 2) -> DaskCluster:
        """Started and ready: every worker registered with the scheduler."""
        port = free_port()
        cluster = cls(ServerProcess(scheduler_command(port, free_port()), port))
        try:
            cluster.scheduler.start()
            for _ in range(workers):
                cluster.add_worker(wait=False)
            cluster.wait_for_workers(workers)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def add_worker(self, wait: bool = True) -> ServerProcess:
        """One more worker, started (and registered, when wait)."""
        port = free_port()
        worker = ServerProcess(worker_command(self.address, port), port)
        self.workers.append(worker)
        worker.start()
        if wait:
            self.wait_for_workers(len(self.worker_pids()))
        return worker

    def worker_pids(self) -> list[int]:
        """The PIDs of the workers still running (each runs tasks itself)."""
        return [
            worker.process.pid
            for worker in self.workers
            if worker.process is not None and worker.process.poll() is None
        ]

    def wait_for_workers(self, count: int, seconds: float = 60) -> None:
        """Until the scheduler knows `count` workers."""
        from distributed import Client

        with Client(self.address, timeout=seconds) as client:
            client.wait_for_workers(count, timeout=seconds)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.scheduler.stop()

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll condition() every 20 ms until it is true; AssertionError naming
    `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.02)
