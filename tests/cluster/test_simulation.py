"""`simulate --cluster`: actors sharded by index over the workers. Merged
here (-o FILE) the shards are the one-process stream byte for byte; left as
parts (-o DIR/) each part is time-ordered, and its keys put the parts
together into that stream."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import generate, generate_together, part_files, same_bytes

#: A shard's keys file: time, actor index, sequence per event.
KEY = struct.Struct("<dqq")
RUNS = {
    "web": ("simulate", "web", "--actors", 2000, "--duration", "2h", "--seed", 3),
    "customers": (
        "simulate", "customers", "--actors", 300, "--duration", "12h", "--seed", 3,
    ),
}  # fmt: skip
#: Actors per shard: three shards of each run.
SHARD_SIZES = {"web": 700, "customers": 100}


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("one-process")
    files = {name: folder / f"{name}.jsonl" for name in RUNS}
    generate_together(*[(*RUNS[n], "--quiet", "-o", files[n]) for n in RUNS])
    return files


@pytest.mark.parametrize("name", list(RUNS))
def test_the_merged_shards_are_the_one_process_stream(
    dask_cluster: DaskCluster,
    one_process: dict[str, Path],
    tmp_path: Path,
    name: str,
) -> None:
    """Three shards of actors made by the workers, merged by time here."""
    spread = tmp_path / "spread.jsonl"
    generate(
        *RUNS[name], "--quiet", "-o", spread,
        "--cluster", dask_cluster.address, "--shard-size", SHARD_SIZES[name],
    )  # fmt: skip
    same_bytes(spread.read_bytes(), one_process[name].read_bytes(), name)
    assert [p.name for p in tmp_path.iterdir()] == [spread.name]  # no stage left


def test_parts_in_a_folder_are_time_ordered_and_key_the_stream(
    dask_cluster: DaskCluster, one_process: dict[str, Path], tmp_path: Path
) -> None:
    """-o DIR/: a part and keys file per shard, each part in time order; the
    lines of all parts ordered by their keys are the one-process stream."""
    folder = tmp_path / "parts"
    generate(
        *RUNS["customers"], "--quiet", "-o", f"{folder}/",
        "--cluster", dask_cluster.address, "--shard-size", SHARD_SIZES["customers"],
    )  # fmt: skip
    parts = part_files(folder, "jsonl")
    assert [p.name for p in parts] == [f"part-{i:05d}.jsonl" for i in range(3)]
    keyed: list[tuple[tuple[float, int, int], bytes]] = []
    for part in parts:
        lines = part.read_bytes().splitlines(keepends=True)
        keys = list(KEY.iter_unpack(part.with_suffix(".keys").read_bytes()))
        assert len(keys) == len(lines) > 0
        times = [key[0] for key in keys]
        assert times == sorted(times), f"{part.name} is not in time order"
        stamps = [json.loads(line)["event_time"] for line in lines]
        assert stamps == sorted(stamps), f"{part.name}'s events are not in time order"
        keyed += zip(keys, lines)
    whole = b"".join(line for _, line in sorted(keyed))
    same_bytes(whole, one_process["customers"].read_bytes(), "parts by key")
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert [p["part"] for p in manifest["parts"]] == [p.name for p in parts]
    assert manifest["count"] == sum(p["count"] for p in manifest["parts"])
    assert manifest["count"] == len(keyed)


def test_profiles_saved_from_a_cluster_run_are_whole(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """--profiles-out: the users the workers played are saved with every
    profile field, as one process saves them, though web reads only the email."""
    run = ("simulate", "web", "--actors", 60, "--duration", "1d", "--seed", 3)
    run += ("--arrivals", "20/h", "--quiet")
    one, spread = tmp_path / "one.json", tmp_path / "spread.json"
    generate_together(
        (*run, "-o", tmp_path / "one.jsonl", "--profiles-out", one),
        (
            *run, "-o", tmp_path / "spread.jsonl", "--profiles-out", spread,
            "--cluster", dask_cluster.address, "--shard-size", 20,
        ),
    )  # fmt: skip
    saved = json.loads(spread.read_bytes())
    assert len(saved) >= 60 and all(len(profile) > 20 for profile in saved)
    assert saved == json.loads(one.read_bytes())
