"""The issue's check: 100,000 web events with 1% of each fault kind; verify,
reading the file alone, finds exactly the faulted records the manifest lists,
and the clean rest passes every other check."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from datagen.cli import cli

KINDS = (
    "null",
    "wrong_type",
    "out_of_range",
    "malformed",
    "drift",
    "duplicate",
    "late",
    "out_of_order",
)


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
