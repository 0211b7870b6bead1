"""The cluster the --cluster tests share: a scheduler and two workers, real
processes started once (see dask_processes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.dask_processes import DaskCluster


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[DaskCluster]:
    """Two one-thread workers on a scheduler on a free port; stopped at the end."""
    with DaskCluster.start(workers=2) as cluster:
        yield cluster


@pytest.fixture(autouse=True)
def no_default_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-process run is one process even where DATAGEN_CLUSTER is set."""
    monkeypatch.delenv("DATAGEN_CLUSTER", raising=False)
