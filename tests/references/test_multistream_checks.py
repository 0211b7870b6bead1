"""A run of several streams with faults, a run manifest and ground truth, as
users run it (the CLI in its own process): customers and orders of
examples/related, each stream faulted on its own and listed in the one
faults manifest, references that hold except where a dangling fault says
otherwise, the same bytes whatever --workers, and `verify` passing it all.

The reader here is the test's own (the standard library only): it reads each
output line by line and checks the faults manifest's entries against it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
RELATED = REPO / "examples" / "related"
FAULTS = "null=0.01,dangling=0.02,duplicate=0.01"
CUSTOMERS, ORDERS = 1000, 10_000


def datagen(cwd: Path, *argv: object) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, in folder `cwd`."""
    command = [sys.executable, str(REPO / "generate.py"), *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def related_run(cwd: Path, *more: object) -> subprocess.CompletedProcess[str]:
    """1,000 customers and 10,000 orders (seed 11) into cwd/out/, with the
    faults, both manifests and ground truth, at relative paths."""
    return datagen(
        cwd, "document", "--providers-dir", RELATED,
        "-p", "customers", "-q", CUSTOMERS, "-p", "orders", "-q", ORDERS,
        "--seed", 11, "--format", "jsonl", "-o", "out/",
        "--faults", FAULTS, "--faults-manifest", "f.jsonl",
        "--manifest", "run.json", "--truth", "truth", *more,
    )  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The run in one process and in two: {workers: its folder}."""
    folders = {}
    for workers in (1, 2):
        folder = tmp_path_factory.mktemp(f"workers{workers}")
        done = related_run(folder, "--workers", workers)
        assert done.returncode == 0, done.stderr
        folders[workers] = folder
    return folders


def read(path: Path) -> list[dict[str, Any]]:
    """A JSON lines file's records (every line here is valid JSON: no
    malformed faults are asked for)."""
    return [json.loads(line) for line in path.read_bytes().split(b"\n")[:-1]]


def listed(folder: Path, stream: str) -> dict[int, dict[str, Any]]:
    """The faults manifest's entries of `stream`, by index."""
    entries = [e for e in read(folder / "f.jsonl") if e["stream"] == stream]
    indexes = [entry["index"] for entry in entries]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes)
    return {entry["index"]: entry for entry in entries}


def check_stream(
    folder: Path, stream: str, customer_ids: set[Any] | None
) -> Counter[str]:
    """Every listed record of `stream` shows its fault at its line; every
    other one is whole (the first clean record's fields, no null, a line of
    its own). customer_ids: the ids a dangling reference must miss."""
    path = folder / "out" / f"{stream}.jsonl"
    lines = path.read_bytes().split(b"\n")[:-1]
    records = [json.loads(line) for line in lines]
    faults = listed(folder, stream)
    assert max(faults) < len(records)
    clean = [at for at in range(len(records)) if at not in faults]
    fields = set(records[clean[0]])
    seen: set[bytes] = set()
    for at in clean:
        assert set(records[at]) == fields, f"{stream} line {at}"
        assert None not in records[at].values(), f"{stream} line {at}"
        assert lines[at] not in seen, f"{stream} line {at} repeats a line"
        seen.add(lines[at])
    kinds: Counter[str] = Counter()
    for at, entry in faults.items():
        record, name, original = records[at], entry["field"], entry["original"]
        kinds[entry["fault"]] += 1
        assert record["id"] == entry["key"], entry
        if entry["fault"] == "null":
            assert record[name] is None and original is not None, entry
        elif entry["fault"] == "duplicate":
            assert original < at and lines[at] == lines[original], entry
            assert original not in faults, entry  # a copy of a clean record
        elif entry["fault"] == "dangling":
            assert customer_ids is not None and name == "customer_id", entry
            assert record[name] not in customer_ids and original in customer_ids
        else:
            raise AssertionError(f"a fault not asked for: {entry}")
    return kinds


def test_a_reader_finds_exactly_the_listed_records_of_each_stream(runs):
    folder = runs[1]
    customers = read(folder / "out" / "customers.jsonl")
    ids = {customer["id"] for customer in customers}
    assert ids == set(range(1001, 1001 + CUSTOMERS))  # a key is never faulted
    in_customers = check_stream(folder, "customers", None)
    in_orders = check_stream(folder, "orders", ids)
    # dangling applies to orders only: customers refer to no stream
    assert set(in_customers) == {"null", "duplicate"}
    assert set(in_orders) == {"null", "duplicate", "dangling"}
    assert 140 <= in_orders["dangling"] <= 260, in_orders  # 2% of 10,000
    assert 60 <= in_orders["null"] <= 140 and 60 <= in_orders["duplicate"] <= 140
    assert len(customers) == CUSTOMERS + in_customers["duplicate"]
    entries = read(folder / "f.jsonl")
    assert [e["stream"] for e in entries] == sorted(
        (e["stream"] for e in entries), key=["customers", "orders"].index
    )  # parents first, each stream in output order


def test_every_order_but_a_dangling_one_names_a_customer(runs):
    folder = runs[1]
    ids = {c["id"] for c in read(folder / "out" / "customers.jsonl")}
    faults = listed(folder, "orders")
    kinds: Counter[str] = Counter()
    for at, order in enumerate(read(folder / "out" / "orders.jsonl")):
        fault = faults.get(at, {})
        if fault.get("fault") == "dangling":
            kinds["dangling"] += 1
            assert order["customer_id"] not in ids
        elif order["customer_id"] is None:  # nulled: listed as such
            assert fault["fault"] == "null" and fault["field"] == "customer_id"
        else:
            kinds["held"] += 1
            assert order["customer_id"] in ids, (at, order)
    assert kinds["dangling"] == sum(f["fault"] == "dangling" for f in faults.values())
    assert kinds["held"] > 9000


def test_the_run_manifest_has_a_section_per_stream(runs):
    folder = runs[1]
    record = json.loads((folder / "run.json").read_text())
    assert record["command"] == "document" and record["seed"] == 11
    # the spec in the kinds' order
    spec = "null=0.01,duplicate=0.01,dangling=0.02"
    assert record["faults"] == {"spec": spec, "manifest": "f.jsonl"}
    assert list(record["streams"]) == ["customers", "orders"]
    for name, refs in (("customers", {}), ("orders", {"customer_id": "customers.id"})):
        stream = record["streams"][name]
        lines = read(folder / "out" / f"{name}.jsonl")
        kinds = Counter(entry["fault"] for entry in listed(folder, name).values())
        assert stream["count"] == len(lines)
        assert stream["faulted"] == dict(kinds)
        assert stream["clean"] == len(lines) - sum(kinds.values())
        assert stream["references"] == refs and stream["key_field"] == "id"
        assert stream["outputs"] == [f"out/{name}.jsonl"]
    assert [(s["stream"], s["sent"]) for s in record["sinks"]] == [
        (name, record["streams"][name]["count"]) for name in ("customers", "orders")
    ]


def test_the_same_seed_gives_the_same_bytes_whatever_the_workers(runs):
    one, two = runs[1], runs[2]
    files = [
        "out/customers.jsonl", "out/orders.jsonl", "f.jsonl",
        "truth/customers.jsonl", "truth/orders.jsonl",
    ]  # fmt: skip
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    records = [
        json.loads((folder / "run.json").read_text()) for folder in runs.values()
    ]
    for record in records:  # when it ran, and the --workers given, differ
        del record["started"], record["elapsed_seconds"]
        at = record["arguments"].index("--workers")
        del record["arguments"][at : at + 2]
    assert records[0] == records[1]


def test_verify_passes_the_run(runs):
    folder = runs[2]
    done = datagen(
        folder, "verify", "out/customers.jsonl", "out/orders.jsonl",
        "--manifest", "run.json", "--faults-manifest", "f.jsonl", "--truth", "truth",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "references customer_id -> customers.id" in done.stdout
    assert "orders: faulted records" in done.stdout
    assert "ground truth" in done.stdout


def test_the_ground_truth_holds_a_line_per_key_of_the_clean_records(runs):
    folder = runs[1]
    for name, count in (("customers", CUSTOMERS), ("orders", ORDERS)):
        truth = read(folder / "truth" / f"{name}.jsonl")
        keys = [record["id"] for record in truth]
        assert len(keys) == count and len(set(keys)) == count
        assert keys == sorted(keys)
        faults = listed(folder, name)
        written = read(folder / "out" / f"{name}.jsonl")
        clean = {r["id"]: r for at, r in enumerate(written) if at not in faults}
        by_key = {record["id"]: record for record in truth}
        assert all(by_key[key] == record for key, record in clean.items())
        # a faulted record's key is there, with its values before the fault
        for at, entry in faults.items():
            if entry["fault"] in ("null", "dangling"):
                assert by_key[entry["key"]][entry["field"]] == entry["original"]


def test_dangling_is_refused_only_when_no_stream_refers_to_another(tmp_path):
    (tmp_path / "providers").mkdir()
    shutil.copy(RELATED / "customers.yaml", tmp_path / "providers")
    (tmp_path / "providers" / "shops.yaml").write_text(
        "provider: shops\nkind: document\nfields:\n  id: {gen: uuid}\n"
    )
    done = datagen(
        tmp_path, "document", "--providers-dir", "providers",
        "-p", "customers", "-q", 10, "-p", "shops", "-q", 10, "--format", "jsonl",
        "-o", "out/", "--faults", "dangling=0.01", "--faults-manifest", "f.jsonl",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--faults dangling: no stream of this run has a reference field" in (
        done.stderr
    )
    assert not (tmp_path / "out").exists() and not (tmp_path / "f.jsonl").exists()


def test_a_providers_declared_faults_apply_to_its_own_stream(tmp_path):
    providers = tmp_path / "providers"
    shutil.copytree(RELATED, providers)
    orders = providers / "orders.yaml"
    orders.write_text(orders.read_text() + 'faults: "dangling=0.05"\n')
    done = datagen(
        tmp_path, "document", "--providers-dir", "providers",
        "-p", "customers", "-q", 100, "-p", "orders", "-q", 1000, "--seed", 4,
        "--format", "jsonl", "-o", "out/", "--faults-manifest", "f.jsonl",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    kinds = Counter((e["stream"], e["fault"]) for e in read(tmp_path / "f.jsonl"))
    assert set(kinds) == {("orders", "dangling")}
    assert 25 <= kinds["orders", "dangling"] <= 80
