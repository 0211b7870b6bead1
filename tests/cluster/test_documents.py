"""`document --cluster`: one file written here in order (gather mode) and
parts written by the workers (parts mode) hold the bytes of one process."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import (
    SEED,
    check_manifest,
    folder_manifest,
    generate,
    generate_together,
    part_files,
    same_bytes,
)

QUANTITY = 3500
#: Four shards of 1000 documents (the last 500) on a cluster.
ACCOUNTS = (
    "document", "-p", "starfleet_account", "-q", QUANTITY, "--seed", SEED, "--quiet",
)  # fmt: skip
SHARDS = ("--shard-size", 1000)
EXTENSIONS = ("jsonl", "csv", "json", "parquet")


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files one process writes, by extension (made at once)."""
    folder = tmp_path_factory.mktemp("one-process")
    files = {extension: folder / f"one.{extension}" for extension in EXTENSIONS}
    generate_together(*[(*ACCOUNTS, "-o", path) for path in files.values()])
    return files


@pytest.mark.parametrize("extension", ["jsonl", "csv", "json"])
def test_one_file_on_the_cluster_is_the_one_process_file(
    dask_cluster: DaskCluster,
    one_process: dict[str, Path],
    tmp_path: Path,
    extension: str,
) -> None:
    """Four shards made by the workers, written here in order: a JSON-lines,
    CSV or JSON-array file byte for byte as one process writes it."""
    spread = tmp_path / f"spread.{extension}"
    generate(*ACCOUNTS, "-o", spread, "--cluster", dask_cluster.address, *SHARDS)
    same_bytes(
        spread.read_bytes(),
        one_process[extension].read_bytes(),
        f"{extension} on the cluster",
    )
    assert [p.name for p in tmp_path.iterdir()] == [spread.name]


@pytest.mark.parametrize("format_", ["jsonl", "csv"])
def test_parts_laid_end_to_end_are_the_one_process_file(
    dask_cluster: DaskCluster,
    one_process: dict[str, Path],
    tmp_path: Path,
    format_: str,
) -> None:
    """-o DIR/: a part per shard written by the workers (the CSV header in
    the first only); laid end to end, the one file; the manifest lists them
    in order with their counts and digests."""
    folder = tmp_path / "parts"
    generate(
        *ACCOUNTS, "-o", f"{folder}/", "--format", format_,
        "--cluster", dask_cluster.address, *SHARDS,
    )  # fmt: skip
    parts = part_files(folder, format_)
    assert [p.name for p in parts] == [f"part-{i:05d}.{format_}" for i in range(4)]
    data = [(part.name, part.read_bytes()) for part in parts]
    same_bytes(
        b"".join(d for _, d in data),
        one_process[format_].read_bytes(),
        f"{format_} parts",
    )
    check_manifest(folder_manifest(folder), data, QUANTITY)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [p.name for p in parts] + ["manifest.json", "run.json"]
    )


def test_parquet_parts_read_in_order_are_the_one_process_table(
    dask_cluster: DaskCluster, one_process: dict[str, Path], tmp_path: Path
) -> None:
    """A Parquet file per shard: read in order, the rows (and types) of the
    one process's Parquet file."""
    folder = tmp_path / "parts"
    generate(
        *ACCOUNTS, "-o", f"{folder}/", "--format", "parquet",
        "--cluster", dask_cluster.address, *SHARDS,
    )  # fmt: skip
    parts = part_files(folder, "parquet")
    tables = [pq.read_table(part) for part in parts]
    assert [t.num_rows for t in tables] == [1000, 1000, 1000, 500]
    whole = pa.concat_tables(tables)
    expected = pq.read_table(one_process["parquet"])
    assert whole.schema == expected.schema
    assert whole.equals(expected)
    check_manifest(
        folder_manifest(folder), [(p.name, p.read_bytes()) for p in parts], QUANTITY
    )


def test_a_local_cluster_writes_the_same_parts(
    one_process: dict[str, Path], tmp_path: Path
) -> None:
    """--cluster local:2 starts its own two workers on this machine: the
    same parts as a running scheduler's, the same bytes as one process."""
    folder = tmp_path / "parts"
    generate(
        *ACCOUNTS, "-o", f"{folder}/", "--format", "jsonl",
        "--cluster", "local:2", "--shard-size", 2000,
    )  # fmt: skip
    parts = part_files(folder, "jsonl")
    assert len(parts) == 2
    data = [(part.name, part.read_bytes()) for part in parts]
    same_bytes(
        b"".join(d for _, d in data),
        one_process["jsonl"].read_bytes(),
        "local:2 parts",
    )
    check_manifest(folder_manifest(folder), data, QUANTITY)
