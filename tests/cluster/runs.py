"""The cluster tests' commands, run as a user runs them (`python generate.py`
in a subprocess), and what they compare: bytes, parts and manifests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.processes import ROOT, generate_command, run_generate

SEED = 20250101


def generate(
    *argv: object, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python generate.py *argv` (in the repository, or `cwd`), which must exit 0."""
    result = run_generate(*argv, timeout=timeout, cwd=cwd)
    assert result.returncode == 0, (
        f"exit {result.returncode}: generate.py {' '.join(map(str, argv))}\n"
        f"{result.stderr[-3000:]}"
    )
    return result


def start_generate(*argv: object) -> subprocess.Popen[str]:
    """`python generate.py *argv` started in the repository, as run_generate
    runs it; its stdout and stderr are pipes."""
    return subprocess.Popen(
        generate_command(*argv),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def generate_together(
    *argvs: Sequence[object], timeout: float = 120, ok: bool = True
) -> list[subprocess.CompletedProcess[str]]:
    """Each argv as `python generate.py ...`, all at once (a one-process run
    beside a cluster run whose driver mostly waits); with ok, each must exit 0."""
    processes = [start_generate(*argv) for argv in argvs]
    results = []
    for argv, process in zip(argvs, processes):
        try:
            out, err = process.communicate(timeout=timeout)
        finally:
            process.kill()
        result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        assert not ok or result.returncode == 0, (
            f"exit {result.returncode}: generate.py {' '.join(map(str, argv))}\n"
            f"{err[-3000:]}"
        )
        results.append(result)
    return results


def same_bytes(actual: bytes, expected: bytes, what: str) -> None:
    """actual == expected, or an error showing where they part."""
    if actual == expected:
        return
    at = next(
        (i for i, (a, b) in enumerate(zip(actual, expected)) if a != b),
        min(len(actual), len(expected)),
    )
    raise AssertionError(
        f"{what}: {len(actual):,} bytes, expected {len(expected):,}; they differ "
        f"from byte {at:,}: {actual[at - 60 : at + 60]!r} vs "
        f"{expected[at - 60 : at + 60]!r}"
    )


def part_files(folder: Path, extension: str) -> list[Path]:
    """The parts in a run's folder, in order."""
    return sorted(folder.glob(f"part-*.{extension}"))


def check_manifest(
    manifest: dict[str, Any], parts: Sequence[tuple[str, bytes]], quantity: int
) -> None:
    """The manifest lists `parts` (name, bytes) in order, each's count, size
    and sha256 right, the counts adding up to `quantity`."""
    listed = manifest["parts"]
    assert [entry["part"] for entry in listed] == [name for name, _ in parts]
    assert [entry["index"] for entry in listed] == list(range(len(parts)))
    assert sum(entry["count"] for entry in listed) == manifest["count"] == quantity
    for entry, (name, data) in zip(listed, parts):
        assert entry["size"] == len(data), name
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
    assert manifest["run"]["quantity"] == quantity


def folder_manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_bytes())
    return manifest
