"""verify on related streams with faults in both: a child of a parent whose
line is malformed is a good reference, not a dangling one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(*argv: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "generate.py"), *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT)


def test_children_of_malformed_parents_are_not_dangling(tmp_path: Path) -> None:
    out = tmp_path / "out"
    made = generate(
        "document", "--providers-dir", ROOT / "examples" / "related",
        "-p", "customers", "-q", 1000, "-p", "orders", "-q", 5000, "--seed", 3,
        "--format", "jsonl", "-o", f"{out}/", "--quiet",
        "--faults", "malformed=0.05,dangling=0.02,null=0.01,duplicate=0.01",
        "--faults-manifest", tmp_path / "f.jsonl", "--manifest", tmp_path / "run.json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    listed = [json.loads(line) for line in (tmp_path / "f.jsonl").open()]
    broken = {f["key"] for f in listed if f["stream"] == "customers"}
    broken &= {f["key"] for f in listed if f["fault"] == "malformed"}
    held = set()
    for line in (out / "orders.jsonl").read_bytes().splitlines():
        try:
            held.add(json.loads(line).get("customer_id"))
        except ValueError:  # a malformed order
            continue
    assert broken & held  # the case exists: orders of a malformed customer
    checked = generate(
        "verify", out / "customers.jsonl", out / "orders.jsonl", "--json",
        "--manifest", tmp_path / "run.json", "--faults-manifest", tmp_path / "f.jsonl",
    )  # fmt: skip
    report = json.loads(checked.stdout)
    failed = [check for check in report["checks"] if check["status"] == "fail"]
    assert checked.returncode == 0 and not failed, failed
