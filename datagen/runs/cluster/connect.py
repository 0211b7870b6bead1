"""--cluster: which Dask cluster a run uses, connected for the run's length.

`tcp://HOST:8786` (or any address Dask's Client takes) is a running
scheduler; `local:N` starts a LocalCluster of N one-thread worker processes
on 127.0.0.1 for trying it out; DATAGEN_CLUSTER gives the default. Dask is
imported only here and only when a run asks for a cluster.
"""

from __future__ import annotations

import os
import re
import signal
import threading
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
#: A scheduler's address: tcp://HOST:PORT, the host a name, IPv4 or [IPv6].
_ADDRESS = re.compile(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})")


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
    address = _ADDRESS.fullmatch(text)
    if address is None or not 1 <= int(address.group(2)) <= 65535:
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
                _workers_ignoring_ctrl_c(LocalCluster)(
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
            client = stack.enter_context(_client_within(Client, spec))
        if say is not None:
            say(f"Dask dashboard: {client.dashboard_link}")
        yield client


@contextmanager
def _client_within(client_class: Any, spec: ClusterSpec) -> Iterator[Any]:
    """A Client on spec's scheduler, or a ConfigError after CONNECT_SECONDS
    (and a little more): Client's own timeout does not bound its handshake,
    which waits for good on a port that answers but is no scheduler."""
    made: dict[str, Any] = {}

    def connect() -> None:
        try:
            made["client"] = client_class(spec.address, timeout=CONNECT_SECONDS)
        except BaseException as exc:  # raised again in the caller's thread
            made["error"] = exc

    thread = threading.Thread(target=connect, name="datagen-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_SECONDS + 2)
    error = made.get("error")
    if "client" not in made:
        reason = "no answer" if error is None else type(error).__name__
        raise ConfigError(
            f"--cluster {spec.describe()}: no Dask scheduler answered within"
            f" {CONNECT_SECONDS:g} s ({reason})"
        )
    with made["client"] as client:
        yield client


def _workers_ignoring_ctrl_c(cluster_class: Any) -> Callable[..., Any]:
    """cluster_class(...) started with SIGINT ignored, which its worker
    processes inherit: Ctrl-C stops the run in the driver, which stops
    them, instead of each printing a traceback."""

    def start(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return cluster_class(*args, **kwargs)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return cluster_class(*args, **kwargs)
        finally:
            signal.signal(signal.SIGINT, previous)

    return start
