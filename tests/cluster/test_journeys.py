"""`journey --cluster`: whole journeys made by the workers, the same zips
and metadata in a folder, and the same JSON lines in a file, as one process."""

from __future__ import annotations

from pathlib import Path

from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import SEED, generate_together, same_bytes


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_zips_and_json_lines_are_the_one_process_journeys(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    on_cluster = ("--cluster", dask_cluster.address, "--shard-size", 2)
    starfleet = ("journey", "-p", "starfleet", "-q", 6, "--seed", SEED, "--quiet")
    shop = ("journey", "-p", "ecommerce", "-q", 40, "--seed", SEED, "--quiet")
    one, spread = tmp_path / "one", tmp_path / "spread"
    generate_together(
        (*starfleet, "-o", one / "zips"),
        (*starfleet, "-o", spread / "zips", *on_cluster),
        (*shop, "-o", one / "shop.jsonl"),
        (*shop, "-o", spread / "shop.jsonl", *on_cluster),
    )
    zips = files_in(one / "zips")
    assert len([name for name in zips if name.endswith(".zip")]) == 6
    assert files_in(spread / "zips") == zips
    same_bytes(
        (spread / "shop.jsonl").read_bytes(),
        (one / "shop.jsonl").read_bytes(),
        "journeys as JSON lines",
    )
    assert len((one / "shop.jsonl").read_bytes().splitlines()) == 40
