"""The issue's check: 100,000 web events with 1% of each fault kind; verify,
reading the file alone, finds exactly the faulted records the manifest lists,
and the clean rest passes every other check."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from datagen.cli import cli
from tests.verify.faulty import WEB_KINDS

KINDS = list(WEB_KINDS)


def test_100000_web_events_with_every_fault_kind(tmp_path: Path) -> None:
    events, faults, run = (
        tmp_path / "web.jsonl",
        tmp_path / "faults.jsonl",
        tmp_path / "run.json",
    )
    spec = ",".join(f"{kind}=0.01" for kind in KINDS)
    result = CliRunner().invoke(
        cli,
        [
            *("simulate", "web", "--count", "100000", "--seed", "13"),
            *("-o", str(events), "--faults", spec, "--quiet"),
            *("--faults-manifest", str(faults), "--manifest", str(run)),
        ],
    )
    assert result.exit_code == 0, result.output
    listed = Counter(json.loads(line)["fault"] for line in faults.open())
    assert set(listed) == set(KINDS)
    assert all(800 < n < 1200 for n in listed.values()), listed

    result = CliRunner().invoke(
        cli,
        [
            *("verify", str(events), "--json"),
            *("--manifest", str(run), "--faults-manifest", str(faults)),
        ],
    )
    report = json.loads(result.stdout)
    failed = [check for check in report["checks"] if check["status"] != "pass"]
    assert result.exit_code == 0 and not failed, failed
    checks = {check["name"]: check for check in report["checks"]}
    by_kind = checks["faulted records"]["details"]["by_kind"]
    assert by_kind == {kind: {"listed": n, "found": n} for kind, n in listed.items()}
    choices = [name for name in checks if name.startswith("choice ")]
    assert len(choices) == 9  # the web model's, from the run's manifest
    clean = checks["time order"]["details"]["records"]
    assert clean == report["streams"]["web"] - sum(listed.values())


@pytest.mark.parametrize(
    "suffix, kinds",
    [
        ("csv", [k for k in KINDS if k not in ("drift", "wrong_type")]),
        ("parquet", [k for k in KINDS if k not in ("drift", "wrong_type")]),
    ],
)
def test_faults_in_csv_and_parquet(
    tmp_path: Path, suffix: str, kinds: list[str]
) -> None:
    """A malformed record is a short row in CSV and a row of nulls in
    Parquet (neither takes drift or wrong types)."""
    events, faults = tmp_path / f"web.{suffix}", tmp_path / "faults.jsonl"
    result = CliRunner().invoke(
        cli,
        [
            *("simulate", "web", "--count", "8000", "--seed", "5", "-o", str(events)),
            *("--faults", ",".join(f"{kind}=0.02" for kind in kinds)),
            *("--faults-manifest", str(faults), "--quiet"),
        ],
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        cli, ["verify", str(events), "--faults-manifest", str(faults), "--json"]
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, [c for c in report["checks"] if c["status"] != "pass"]
    faulted = next(c for c in report["checks"] if c["name"] == "faulted records")
    assert set(faulted["details"]["by_kind"]) == set(kinds)
