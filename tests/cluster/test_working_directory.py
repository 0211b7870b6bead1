"""A cluster run started in another folder than the workers' (they run in
the repository, as services.sh starts them; on a real cluster, on other
machines): -o's relative path and the merge's staging folder must mean the
driver's folder, as they do without --cluster."""

from __future__ import annotations

from pathlib import Path


from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import SEED, generate, part_files


def test_parts_go_to_a_folder_relative_to_the_driver(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    generate(
        "document", "-p", "starfleet_account", "-q", 2000, "--seed", SEED,
        "--quiet", "-o", "parts/", "--format", "jsonl",
        "--cluster", dask_cluster.address, "--shard-size", 1000,
        cwd=tmp_path,
    )  # fmt: skip
    assert len(part_files(tmp_path / "parts", "jsonl")) == 2


def test_journey_zips_go_to_a_folder_relative_to_the_driver(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    generate(
        "journey", "-p", "starfleet", "-q", 2, "--seed", SEED, "--quiet",
        "-o", "zips", "--cluster", dask_cluster.address, cwd=tmp_path,
    )  # fmt: skip
    assert len(list((tmp_path / "zips").glob("*.zip"))) == 2


def test_a_merged_simulation_runs_from_any_folder(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    out = tmp_path / "web.jsonl"
    generate(
        "simulate", "web", "--actors", 100, "--duration", "1h", "--seed", 3,
        "--quiet", "-o", out, "--cluster", dask_cluster.address, cwd=tmp_path,
    )  # fmt: skip
    assert out.stat().st_size > 0
