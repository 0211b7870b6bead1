"""A simulation's event types as related streams: each routed to its own
output, every child naming a parent written before it, and verify agreeing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(*argv: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "generate.py"), *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def test_routed_event_types_are_parents_then_children(tmp_path: Path) -> None:
    made = generate(
        "simulate", "customers", "--actors", 100, "--duration", "4h", "--seed", 2,
        "--workers", 2,
        "--route", "event_type=new_customer=file:customers.jsonl",
        "--route", "event_type=purchase=file:purchases.jsonl",
        cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    read = lambda name: [  # noqa: E731
        json.loads(line) for line in (tmp_path / name).read_text().splitlines()
    ]
    customers, purchases = read("customers.jsonl"), read("purchases.jsonl")
    signed_up = {row["customer_id"]: row["event_time"] for row in customers}
    assert len(signed_up) == len(customers) == 100 and purchases
    for purchase in purchases:  # ISO times in one zone compare as text
        assert signed_up[purchase["customer_id"]] <= purchase["event_time"]
    checked = generate(
        "verify", "customers=customers.jsonl", "purchases=purchases.jsonl",
        "--ref", "purchases.customer_id=customers.customer_id",
        "--time", "event_time", "--actor", "customer_id", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    report = json.loads(checked.stdout)
    assert checked.returncode == 0, report
    names = {check["name"] for check in report["checks"]}
    assert "references customer_id -> customers.customer_id" in names
