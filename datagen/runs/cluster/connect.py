"""--cluster: which Dask cluster a run uses, connected for the run's length.

`tcp://HOST:8786` (or any address Dask's Client takes) is a running
scheduler; `local:N` starts a LocalCluster of N one-thread worker processes
on 127.0.0.1 for trying it out; DATAGEN_CLUSTER gives the default. Dask is
imported only here and only when a run asks for a cluster.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from datagen.errors import ConfigError, missing_package
from datagen.redaction import redact

#: The environment variable naming the cluster when --cluster is not given.
CLUSTER_VARIABLE = "DATAGEN_CLUSTER"
#: Seconds to wait for a scheduler before the run gives up with one line.
CONNECT_SECONDS = 5.0
_LOCAL = re.compile(r"local(?::(\d+))?")
_ADDRESS = re.compile(r"(tcp|tls|inproc|ws|wss|ucx)://[^\s/]+")


@dataclass(frozen=True)
class ClusterSpec:
    """A scheduler's address, or a local cluster of `local_workers` processes."""

    address: str | None = None
    local_workers: int | None = None

    def describe(self) -> str:
        if self.local_workers is not None:
            return f"local:{self.local_workers}"
        return redact(self.address or "")


def parse_cluster(text: str | None) -> ClusterSpec | None:
    """--cluster's value (or DATAGEN_CLUSTER's when None): None for no cluster;
    ConfigError naming the value when it is neither an address nor local:N."""
    if text is None:
        text = os.environ.get(CLUSTER_VARIABLE) or None
        if text is None:
            return None
    text = text.strip()
    local = _LOCAL.fullmatch(text)
    if local is not None:
        workers = int(local.group(1)) if local.group(1) else os.cpu_count() or 1
        if not 1 <= workers <= 256:
            raise ConfigError(
                f"--cluster {text}: a local cluster takes 1 to 256 workers"
            )
        return ClusterSpec(local_workers=workers)
    if _ADDRESS.fullmatch(text) is None:
        raise ConfigError(
            f"--cluster '{redact(text)}': give a scheduler's address"
            " (tcp://HOST:8786) or local:N"
        )
    return ClusterSpec(address=text)


@contextmanager
def connected(
    spec: ClusterSpec, say: Callable[[str], None] | None = None
) -> Iterator[Any]:
    """A distributed.Client on the cluster for the with-block; `say` is told
    the dashboard's link once connected. A scheduler that does not answer
    within CONNECT_SECONDS is a ConfigError naming it."""
    try:
        from distributed import Client, LocalCluster
    except ModuleNotFoundError as exc:
        raise missing_package(exc, "--cluster") from None
    with ExitStack() as stack:
        if spec.local_workers is not None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=spec.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=50,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = Client(spec.address, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"--cluster {spec.describe()}: no scheduler answered within"
                    f" {CONNECT_SECONDS:g} s ({type(exc).__name__})"
                ) from None
            stack.enter_context(client)
        if say is not None:
            say(f"Dask dashboard: {client.dashboard_link}")
        yield client
