"""Same seed, same bytes across releases: every built-in, every format, pinned.

The digests were recorded before the output path and the layout were rebuilt;
a refactor that changes one byte of any of these outputs fails here. Update a
digest only for a change that means to alter the output, and say so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.document_providers import BUILT_IN_DOCUMENTS

SEED = 7
DOCUMENT_PROVIDERS = sorted(BUILT_IN_DOCUMENTS)
JOURNEY_PROVIDERS = ["ecommerce", "starfleet"]
SIMULATIONS = {
    "banking": ["--actors", "30", "--duration", "2h"],
    "customers": ["--actors", "20", "--duration", "3h"],
    "ecommerce": ["--actors", "15"],
    "starfleet": ["--actors", "15"],
    "web": ["--actors", "40", "--duration", "1h"],
}

#: "command/name/format sha256" lines: the digest of each case's output.
GOLDEN = Path(__file__).with_name("golden_bytes.txt")


def digest_of(path: Path) -> str:
    """sha256 of a file, or of a folder's (name, bytes) pairs in name order."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(path.rglob("*"))
    for file in files:
        if file.is_file():
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def expected() -> dict[str, str]:
    pairs = (line.split() for line in GOLDEN.read_text().splitlines() if line)
    return {key: value for key, value in pairs}


def document_cases() -> list[tuple[str, list[str]]]:
    cases = []
    for name in DOCUMENT_PROVIDERS:
        for fmt in ("json", "jsonl", "csv"):
            cases.append(
                (
                    f"document/{name}/{fmt}",
                    ["document", "-p", name, "-q", "60", "--format", fmt],
                )
            )
        cases.append(
            (f"document/{name}/stdout", ["document", "-p", name, "-q", "60", "-o", "-"])
        )
    return cases


def journey_cases() -> list[tuple[str, list[str]]]:
    cases = []
    for name in JOURNEY_PROVIDERS:
        cases.append((f"journey/{name}/files", ["journey", "-p", name, "-q", "12"]))
        cases.append(
            (f"journey/{name}/stdout", ["journey", "-p", name, "-q", "12", "-o", "-"])
        )
    return cases


def simulate_cases() -> list[tuple[str, list[str]]]:
    return [
        (f"simulate/{name}/jsonl", ["simulate", name, *args])
        for name, args in SIMULATIONS.items()
    ]


CASES = document_cases() + journey_cases() + simulate_cases()


def run_case(invoke, tmp_path: Path, argv: list[str]) -> str:
    """The digest of what argv writes (stdout when it has -o -)."""
    argv = [*argv, "--seed", str(SEED), "--quiet"]
    if argv[0] == "simulate" or "-o" in argv:
        result = invoke(*argv)
        return hashlib.sha256(result.stdout_bytes).hexdigest()
    target = tmp_path / "out"
    invoke(*argv, "-o", target)
    return digest_of(target)


@pytest.mark.parametrize("key, argv", CASES, ids=[key for key, _ in CASES])
def test_output_bytes_are_those_recorded(invoke, tmp_path, key, argv):
    assert run_case(invoke, tmp_path, argv) == expected()[key]


def test_replay_bytes_are_those_recorded(invoke, tmp_path):
    invoke(
        "journey",
        "-p",
        "ecommerce",
        "-q",
        "8",
        "--seed",
        SEED,
        "--quiet",
        "-o",
        tmp_path / "j",
    )
    result = invoke("replay", tmp_path / "j", "--speed", "0", "--quiet")
    assert hashlib.sha256(result.stdout_bytes).hexdigest() == expected()["replay"]
