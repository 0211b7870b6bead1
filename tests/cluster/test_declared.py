"""A declared provider through the cluster: the workers register it from its
file (its class does not pickle), and the columnar engine's blocks made
there are the bytes of one process."""

from __future__ import annotations

from pathlib import Path


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
from tests.services import ROOT

TWIN = "starfleet_account_yaml"
#: Two columnar blocks (50,000 and 10,000), a shard each.
QUANTITY = 60_000


def declared(folder: Path, change: tuple[str, str] | None = None) -> Path:
    """examples/starfleet_account.yaml copied alone into folder (so only the
    file there declares the provider), with `change` (old, new) made to it."""
    folder.mkdir()
    text = (ROOT / "examples" / "starfleet_account.yaml").read_text()
    if change is not None:
        assert change[0] in text
        text = text.replace(*change)
    (folder / "starfleet_account.yaml").write_text(text)
    return folder


def twin(folder: Path, *argv: object, quantity: int = QUANTITY) -> tuple[object, ...]:
    return (
        "document", "--providers-dir", folder, "-p", TWIN, "--engine", "columnar",
        "-q", quantity, "--seed", SEED, "--quiet", *argv,
    )  # fmt: skip


def test_columnar_blocks_of_a_declared_provider_are_the_one_process_bytes(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """One file written here in order and parts written by the workers: both
    the bytes one process writes."""
    folder = declared(tmp_path / "declared")
    one, spread, parts = (
        tmp_path / "one.jsonl",
        tmp_path / "spread.jsonl",
        tmp_path / "parts",
    )
    on_cluster = ("--cluster", dask_cluster.address, "--shard-size", 50_000)
    generate_together(
        twin(folder, "-o", one),
        twin(folder, "-o", spread, *on_cluster),
        twin(folder, "-o", f"{parts}/", "--format", "jsonl", *on_cluster),
    )
    same_bytes(spread.read_bytes(), one.read_bytes(), "columnar, one file")
    data = [(p.name, p.read_bytes()) for p in part_files(parts, "jsonl")]
    assert len(data) == 2
    same_bytes(b"".join(d for _, d in data), one.read_bytes(), "columnar parts")
    check_manifest(folder_manifest(parts), data, QUANTITY)
    assert folder_manifest(parts)["run"]["engine"] == "columnar"


def test_an_edited_declaration_is_what_the_workers_run_next(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    """The same provider name declared by another file (edited since the
    workers last ran it): a later run on the same, long-lived workers makes
    the edited provider's documents, not the one they registered first."""
    first = declared(tmp_path / "first")
    edited = declared(
        tmp_path / "edited",
        ("title: {gen: person.title}", "title: {gen: choice, values: [Captain]}"),
    )
    on_cluster = ("--cluster", dask_cluster.address, "--shard-size", 50_000)
    small = 1000
    generate(*twin(first, "-o", tmp_path / "first.jsonl", *on_cluster, quantity=small))
    one, spread = tmp_path / "one.jsonl", tmp_path / "spread.jsonl"
    generate_together(
        twin(edited, "-o", one, quantity=small),
        twin(edited, "-o", spread, *on_cluster, quantity=small),
    )
    assert b'"title":"Captain"' in one.read_bytes()
    same_bytes(spread.read_bytes(), one.read_bytes(), "the edited declaration")
