"""Same seed, same bytes: for every format, for journeys, whatever --workers is."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from datagen.runs.blocks import BLOCK_SIZE
from datagen.runs.journeys import JOURNEYS_PER_BLOCK
from tests.processes import ROOT, generate_command

DOCUMENTS = 2500  # three blocks of documents, the last one short
JOURNEYS = 120  # three blocks of journeys
assert DOCUMENTS > 2 * BLOCK_SIZE and JOURNEYS > 2 * JOURNEYS_PER_BLOCK


def fingerprint(path: Path) -> dict[str, str]:
    """Every file under path (or path itself) -> sha256 of its bytes."""
    files = (
        [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    )
    return {
        str(f.relative_to(path.parent)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in files
    }


def run_documents(invoke, out: Path, name: str, fmt: str, *extra: object) -> dict:
    """Run `document` into out/name; the fingerprint of what it wrote."""
    target = out / name
    if fmt == "stdout":
        result = invoke("document", "-o", "-", *extra)
        return {"stdout": hashlib.sha256(result.stdout_bytes).hexdigest()}
    invoke("document", "--format", fmt, "-o", target, *extra)
    return {k.split("/", 1)[-1]: v for k, v in fingerprint(target).items()}


FORMATS = ["json", "jsonl", "csv", "stdout"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_same_bytes_different_seed_other_bytes(invoke, out, fmt):
    args = ["-p", "order", "-q", 40, "--quiet"]
    first = run_documents(invoke, out, "a", fmt, *args, "--seed", 7)
    second = run_documents(invoke, out, "b", fmt, *args, "--seed", 7)
    other = run_documents(invoke, out, "c", fmt, *args, "--seed", 8)
    assert first == second
    assert len(first) == (40 if fmt == "json" else 1)
    assert set(first) == set(other) and first != other
    assert all(first[name] != other[name] for name in first)


@pytest.mark.parametrize("fmt", FORMATS)
def test_workers_do_not_change_the_bytes(invoke, out, fmt):
    args = ["-p", "starfleet_account", "-q", DOCUMENTS, "--seed", 3, "--quiet"]
    one = run_documents(invoke, out, "w1", fmt, *args, "--workers", 1)
    two = run_documents(invoke, out, "w2", fmt, *args, "--workers", 2)
    assert one == two
    assert len(one) == (DOCUMENTS if fmt == "json" else 1)


def test_every_block_differs(invoke, out):
    """Blocks get seeds of their own: no block repeats another's documents."""
    invoke(
        *("document", "-p", "starfleet_account", "-q", DOCUMENTS, "--seed", 3),
        *("--format", "jsonl", "-o", out / "all.jsonl", "--quiet"),
    )
    lines = (out / "all.jsonl").read_bytes().splitlines()
    assert len(lines) == DOCUMENTS == len(set(lines))


def test_start_is_part_of_the_output(invoke, out):
    args = ["-p", "customer", "-q", 5, "--seed", 1, "--quiet"]
    first = run_documents(invoke, out, "s1", "stdout", *args)
    moved = run_documents(
        invoke, out, "s2", "stdout", *args, "--start", "2030-01-01T00:00:00Z"
    )
    assert first != moved


def test_journeys_same_seed_same_zips(invoke, out):
    args = ["journey", "-p", "starfleet", "-q", 6, "--quiet"]
    invoke(*args, "-o", out / "a", "--seed", 11)
    invoke(*args, "-o", out / "b", "--seed", 11)
    invoke(*args, "-o", out / "c", "--seed", 12)
    first, second, other = (
        {k.split("/", 1)[1]: v for k, v in fingerprint(out / name).items()}
        for name in "abc"
    )
    assert first == second and len(first) == 12
    assert not set(first) & set(other)  # other user ids, other file names


@pytest.mark.parametrize("provider", ["starfleet", "ecommerce"])
def test_journey_workers_do_not_change_the_bytes(invoke, out, provider):
    args = ["journey", "-p", provider, "-q", JOURNEYS, "--seed", 5, "--quiet"]
    invoke(*args, "-o", out / "w1", "--workers", 1)
    invoke(*args, "-o", out / "w2", "--workers", 2)
    one, two = (
        {k.split("/", 1)[1]: v for k, v in fingerprint(out / name).items()}
        for name in ("w1", "w2")
    )
    assert one == two and len(one) == 2 * JOURNEYS
    stdout_one = invoke(*args, "-o", "-", "--workers", 1).stdout_bytes
    stdout_two = invoke(*args, "-o", "-", "--workers", 2).stdout_bytes
    assert stdout_one == stdout_two and stdout_one.count(b"\n") == JOURNEYS


def test_fresh_interpreters_repeat_the_bytes(invoke):
    """Nothing depends on the process: hash seeds, import order, memory."""
    argv = ["-q", 30, "--seed", 4, "-o", "-", "--quiet"]
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        outputs.append(
            [
                subprocess.run(
                    generate_command(command, "-p", provider, *argv),
                    capture_output=True,
                    env=env,
                    check=True,
                    timeout=60,
                ).stdout
                for command, provider in (
                    ("document", "order"),
                    ("journey", "ecommerce"),
                )
            ]
        )
    assert outputs[0] == outputs[1]
    in_process = invoke("document", "-p", "order", *argv).stdout_bytes
    assert outputs[0][0] == in_process and in_process.count(b"\n") == 30
