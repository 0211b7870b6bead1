"""verify across streams and formats: references, time order per actor,
counts against a run manifest, CSV, Parquet and JSON read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from datagen.cli import cli
from tests.verify.faulty import inject, write_faulty

CUSTOMERS = [{"id": n, "name": f"c{n}", "plan": "free"} for n in range(1, 201)]


def orders(count: int = 2000) -> list[dict[str, Any]]:
    return [
        {
            "order_id": f"o{n}",
            "customer_id": 1 + (n * 7919) % len(CUSTOMERS),
            "user": f"u{n % 50}",
            "event_time": f"2025-01-01T{n // 3600:02d}:{n // 60 % 60:02d}:"
            f"{n % 60:02d}.000Z",
            "total": 10 + n % 90,
        }
        for n in range(count)
    ]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def verify(*argv: object) -> tuple[int, dict[tuple[str, str], dict[str, Any]]]:
    """Exit code and the JSON report's checks by (stream, name)."""
    result = CliRunner().invoke(cli, ["verify", *map(str, argv), "--json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, {
        (check["stream"], check["name"]): check for check in report["checks"]
    }


def dangling_orders(seed: int) -> tuple[list[bytes], list[dict[str, Any]]]:
    """The orders' lines with 2% of them dangling, and their manifest lines."""
    return inject(
        orders(),
        ["dangling"],
        0.02,
        seed,
        stream="orders",
        key_field="order_id",
        reference="customer_id",
    )


def test_references_hold_and_listed_dangling_ones_are_left_out(
    tmp_path: Path,
) -> None:
    customers = write_jsonl(tmp_path / "customers.jsonl", CUSTOMERS)
    lines, manifest = dangling_orders(seed=3)
    data, faults = write_faulty(tmp_path, "orders", lines, manifest)
    ref = "orders.customer_id=customers.id"
    code, checks = verify(customers, data, "--ref", ref, "--faults-manifest", faults)
    assert code == 0, checks
    references = checks[("orders", "references customer_id -> customers.id")]
    assert references["details"]["references"] == 2000 - len(manifest)
    found = checks[("orders", "faulted records")]["details"]["by_kind"]
    assert found == {"dangling": {"listed": len(manifest), "found": len(manifest)}}

    code, checks = verify(customers, data, "--ref", ref)
    assert code == 1
    faulted = checks[("orders", "faulted records")]["details"]
    assert faulted["extra"] == len(manifest)
    assert faulted["extra_examples"][0]["fault"] == "dangling"


def test_a_reference_to_a_stream_not_read_is_skipped(tmp_path: Path) -> None:
    """customers is a stream of the run (its manifest), not given: skipped."""
    data = write_jsonl(tmp_path / "orders.jsonl", orders(100))
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"streams": {"orders": {}, "customers": {}}}))
    ref = "orders.customer_id=customers.id"
    code, checks = verify(data, "--manifest", run, "--ref", ref)
    assert code == 0
    skipped = checks[("orders", "references customer_id -> customers.id")]
    assert skipped["status"] == "skip" and "customers" in skipped["summary"]


def test_time_order_per_actor(tmp_path: Path) -> None:
    """A record 10 s before its actor's previous one, but not late (10 m) and
    of a key of its own, is no fault: the time order check fails."""
    records = orders(600)
    records[300]["event_time"] = "2025-01-01T00:04:00.000Z"  # u0 was at 04:10
    data = write_jsonl(tmp_path / "orders.jsonl", records)
    code, checks = verify(data, "--actor", "user")
    order = checks[("orders", "time order")]
    assert code == 1 and order["details"]["backwards"] == 1
    assert order["details"]["examples"][0]["index"] == 300
    assert order["details"]["actors"] == 50
    code, checks = verify(data)
    order = checks[("orders", "time order")]
    assert code == 1 and order["summary"].endswith("go back in time across the stream")


def manifest(path: Path, count: int, **stream: Any) -> Path:
    record = {
        "datagen": "test",
        "command": "document",
        "seed": 1,
        "faults": {"spec": "dangling=0.02", "manifest": None},
        "streams": {"orders": {"count": count, **stream}},
        "sinks": [],
    }
    path.write_text(json.dumps(record))
    return path


def test_counts_and_fault_counts_against_the_run_manifest(tmp_path: Path) -> None:
    lines, listed = dangling_orders(seed=4)
    data, faults = write_faulty(tmp_path, "orders", lines, listed)
    write_jsonl(tmp_path / "customers.jsonl", CUSTOMERS)
    n = len(listed)
    run = manifest(
        tmp_path / "run.json",
        2000,
        clean=2000 - n,
        faulted={"dangling": n},
        references={"customer_id": "customers.id"},
        time_field="event_time",
        distributions={"total": {str(t): 1 for t in range(10, 100)}},
    )
    argv = ["--manifest", run, "--faults-manifest", faults]
    code, checks = verify(data, tmp_path / "customers.jsonl", *argv)
    assert code == 0, checks
    assert checks[("orders", "count")]["details"] == {"read": 2000, "count": 2000}
    assert checks[("orders", "fault counts")]["status"] == "pass"
    assert checks[("orders", "choice total")]["status"] == "pass"
    assert checks[("orders", "references customer_id -> customers.id")]["status"]

    manifest(run, 2001, clean=2000 - n, faulted={"dangling": n + 1})
    code, checks = verify(data, *argv)
    assert code == 1
    assert checks[("orders", "count")]["summary"] == (
        "2,000 records, the manifest's count is 2,001"
    )
    assert "dangling differ" in checks[("orders", "fault counts")]["summary"]


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_csv_parquet_and_json_are_read_back(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"web.{suffix}"
    argv = ["simulate", "web", "--count", "1500", "--seed", "3", "-o", str(path)]
    assert CliRunner().invoke(cli, [*argv, "--quiet"]).exit_code == 0
    code, checks = verify(path, "--against", "web")
    assert code == 0, checks
    landing = checks[("web", "choice page_url_path per marketing_click_id")]
    assert landing["status"] == "pass" and landing["details"]["draws"] > 300
    assert checks[("web", "time order")]["details"]["records"] == 1500


def test_a_folder_of_json_documents(tmp_path: Path) -> None:
    folder = tmp_path / "orders"
    folder.mkdir()
    for n, record in enumerate(orders(30)):
        (folder / f"{n:03d}.json").write_text(json.dumps(record, indent=2))
    (folder / "030.json").write_text('{"order_id": "o30", "cust')
    code, checks = verify(folder)
    faulted = checks[("orders", "faulted records")]["details"]
    assert code == 1 and faulted["extra_examples"][0]["index"] == 30


@pytest.mark.usefixtures("isolated_declarations")
def test_related_streams_of_a_declared_pair(tmp_path: Path) -> None:
    """examples/related: orders of customers, every reference held, and the
    orders' status shares (a declared choice) tested on the stream that has
    the field only."""
    folder = Path(__file__).resolve().parents[2] / "examples" / "related"
    argv = ["--providers-dir", str(folder)]
    result = CliRunner().invoke(
        cli,
        [
            *("document", *argv, "-p", "customers", "-q", "200", "-p", "orders"),
            *("-q", "3000", "-o", str(tmp_path), "--format", "jsonl", "--quiet"),
        ],
    )
    assert result.exit_code == 0, result.output
    code, checks = verify(
        tmp_path / "customers.jsonl",
        tmp_path / "orders.jsonl",
        *("--ref", "orders.customer_id=customers.id", "--against", "orders", *argv),
    )
    assert code == 0, checks
    assert [key for key in checks if key[1].startswith("choice ")] == [
        ("orders", "choice status")
    ]
    references = checks[("orders", "references customer_id -> customers.id")]
    assert references["details"] == {"references": 3000, "parents": 200}


def test_a_state_machine_s_triggers_where_they_leave_a_state(tmp_path: Path) -> None:
    path = tmp_path / "bank.jsonl"
    argv = ["simulate", "banking", "--count", "5000", "--seed", "2", "-o", str(path)]
    assert CliRunner().invoke(cli, [*argv, "--quiet"]).exit_code == 0
    code, checks = verify(path, "--against", "banking")
    check = checks[("bank", "choice trigger where from_state=online")]
    assert code == 0 and check["details"]["draws"] > 1000
    events = [json.loads(line) for line in path.read_text().splitlines()]
    online = [e for e in events if e["from_state"] == "online"]
    for event in online[::4]:  # a quarter of the ways out: the loan screen
        event["trigger"] = "open_loan_screen"
    write_jsonl(path, events)
    code, checks = verify(path, "--against", "banking")
    check = checks[("bank", "choice trigger where from_state=online")]
    assert code == 1 and check["details"]["p_value"] < 0.001


def test_out_of_order_is_per_key_inside_change_envelopes(tmp_path: Path) -> None:
    """Two keys' envelopes interleaved, each key in time order but the other
    an hour behind: no record is out of order (the key is in the images)."""
    events = []
    for n in range(200):
        key, start = (1, 3600) if n % 2 == 0 else (2, 0)
        moment = f"2025-01-01T{(start + n) // 3600:02d}:{(start + n) // 60 % 60:02d}:"
        image = {"customer_id": key, "version": n}
        events.append(
            {
                "before": {**image, "version": n - 1},
                "after": image,
                "op": "u",
                "ts": f"{moment}{(start + n) % 60:02d}.000Z",
            }
        )
    data = write_jsonl(tmp_path / "customers.jsonl", events)
    code, checks = verify(data, "--time", "ts", "--key", "customer_id")
    faulted = checks[("customers", "faulted records")]
    assert faulted["status"] == "pass", faulted
