"""--faults, --faults-manifest and --manifest as users run them: an
independent reader finds exactly the faulted records the manifest lists."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.faults.reader import check, read_lines, read_manifest

REPO = Path(__file__).resolve().parents[2]
WEB_FAULTS = (
    "malformed=0.01,duplicate=0.01,null=0.01,wrong_type=0.01,late=0.01,"
    "out_of_order=0.01,drift=0.01"
)
DOCUMENT_FAULTS = (
    "malformed=0.01,duplicate=0.01,null=0.01,wrong_type=0.01,out_of_range=0.01,"
    "drift=0.01"
)


def datagen(
    *argv: object, ok: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, as a user runs it (in `cwd`, else a
    folder of its own: a default output never lands in the repository)."""
    command = [sys.executable, str(REPO / "generate.py"), *map(str, argv)]
    with tempfile.TemporaryDirectory() as folder:
        where = cwd or folder
        done = subprocess.run(command, capture_output=True, text=True, cwd=where)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def fault_counts(stderr: str) -> dict[str, int]:
    """The summary's `faults:` line, by kind."""
    line = next(line for line in stderr.splitlines() if "faults:" in line)
    inside = line[line.index("(") + 1 : line.rindex(")")]
    counts = {}
    for part in inside.split(", "):
        kind, number = part.replace(" inserted", "").split(" ")
        counts[kind] = int(number.replace(",", ""))
    return counts


@pytest.fixture(scope="module")
def web_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """100,000 web events with 1% of seven kinds, in one and two processes."""
    folder = tmp_path_factory.mktemp("web")
    runs = {}
    for workers in (1, 2):
        out, faults = folder / f"out{workers}.jsonl", folder / f"f{workers}.jsonl"
        manifest = folder / f"run{workers}.json"
        done = datagen(
            "simulate", "web", "--count", 100_000, "--seed", 7, "--workers", workers,
            "-o", out, "--faults", WEB_FAULTS, "--faults-manifest", faults,
            "--manifest", manifest,
        )  # fmt: skip
        runs[workers] = (out, faults, manifest, done.stderr)
    return runs


def test_a_reader_finds_exactly_the_listed_web_faults(web_run):
    out, faults, _, stderr = web_run[1]
    lines, entries = read_lines(out), read_manifest(faults)
    counts = check(lines, entries, "web", "marketing_click_id", "event_timestamp")
    assert set(counts) == {
        "malformed", "duplicate", "null", "wrong_type", "late", "out_of_order", "drift"
    }  # fmt: skip
    for kind, number in counts.items():  # 1% of 100,000 each, give or take
        assert 800 <= number <= 1200, (kind, number)
    assert counts == fault_counts(stderr)
    assert len(lines) == 100_000 + counts["duplicate"]
    assert f"wrote {len(lines):,} web events" in stderr


def test_the_same_seed_gives_the_same_bytes_and_faults_whatever_the_workers(web_run):
    one, two = web_run[1], web_run[2]
    assert one[0].read_bytes() == two[0].read_bytes()
    assert one[1].read_bytes() == two[1].read_bytes()


def test_the_run_manifest_says_what_the_files_hold(web_run):
    out, faults, manifest, _ = web_run[1]
    record = json.loads(manifest.read_text())
    lines, entries = read_lines(out), read_manifest(faults)
    stream = record["streams"]["web"]
    assert record["command"] == "simulate" and record["seed"] == 7
    assert record["arguments"][:2] == ["simulate", "web"]
    assert record["interrupted"] is False
    assert record["faults"]["manifest"] == str(faults)
    assert record["faults"]["spec"].count("=0.01") == 7
    assert stream["count"] == len(lines)
    kinds: dict[str, int] = {}
    for entry in entries:
        kinds[entry["fault"]] = kinds.get(entry["fault"], 0) + 1
    assert stream["faulted"] == kinds
    assert stream["clean"] == len(lines) - len(entries)
    assert stream["time_field"] == "event_timestamp"
    assert stream["key_field"] == "marketing_click_id"
    clean = [json.loads(lines[0])] + [json.loads(lines[-1])]
    assert stream["first_event_time"] == clean[0]["event_timestamp"]
    assert stream["last_event_time"] <= clean[-1]["event_timestamp"]
    assert stream["keys"]["distinct"] > 1000
    assert stream["outputs"] == [str(out)]
    assert stream["distributions"]  # the web model's page and source shares
    (sink,) = record["sinks"]
    assert sink == {
        "name": f"file:{out}", "stream": "web", "sent": len(lines),
        "acknowledged": len(lines), "failed": 0,
    }  # fmt: skip


def test_a_document_run_is_faulted_alike_whatever_the_workers(tmp_path):
    found = []
    for workers in (1, 2):
        out, faults = tmp_path / f"d{workers}.jsonl", tmp_path / f"f{workers}.jsonl"
        done = datagen(
            "document", "-p", "starfleet_account", "-q", 20_000, "--seed", 3,
            "--workers", workers, "-o", out, "--faults", DOCUMENT_FAULTS,
            "--faults-manifest", faults,
        )  # fmt: skip
        lines, entries = read_lines(out), read_manifest(faults)
        counts = check(lines, entries, "starfleet_account", "id")
        assert counts == fault_counts(done.stderr)
        assert len(counts) == 6 and len(lines) == 20_000 + counts["duplicate"]
        found.append((out.read_bytes(), faults.read_bytes()))
    assert found[0] == found[1]


def test_a_parquet_file_gets_records_cut_short(tmp_path):
    import pyarrow.parquet as pq

    out, faults = tmp_path / "d.parquet", tmp_path / "f.jsonl"
    datagen(
        "document", "-p", "starfleet_account", "-q", 3000, "--seed", 2, "-o", out,
        "--faults", "malformed=0.05,null=0.05,duplicate=0.05",
        "--faults-manifest", faults,
    )  # fmt: skip
    rows = pq.read_table(out).to_pylist()
    entries = {entry["index"]: entry for entry in read_manifest(faults)}
    assert len(rows) == 3000 + sum(
        1 for entry in entries.values() if entry["fault"] == "duplicate"
    )
    for at, row in enumerate(rows):
        entry = entries.get(at)
        nulls = [name for name, value in row.items() if value is None]
        if entry is None:
            assert not nulls
        elif entry["fault"] == "malformed":  # the trailing half of fields gone
            assert len(nulls) >= len(row) // 2 - 1 and row["id"] == entry["key"]
        elif entry["fault"] == "null":
            assert nulls == [entry["field"]]
        else:
            assert row == rows[entry["original"]]


def test_a_csv_file_gets_broken_rows_with_fewer_cells(tmp_path):
    out, faults = tmp_path / "d.csv", tmp_path / "f.jsonl"
    datagen(
        "document", "-p", "starfleet_account", "-q", 2000, "--seed", 1, "-o", out,
        "--faults", "malformed=0.02,null=0.02", "--faults-manifest", faults,
    )  # fmt: skip
    rows = list(csv.reader(out.read_text().splitlines()))
    header, rows = rows[0], rows[1:]
    entries = {entry["index"]: entry for entry in read_manifest(faults)}
    assert {entry["fault"] for entry in entries.values()} == {"malformed", "null"}
    for at, row in enumerate(rows):
        fault = entries.get(at, {}).get("fault")
        if fault == "malformed":
            assert len(row) < len(header)
        else:
            assert len(row) == len(header)
        if fault == "null":  # the field's cell, or an object's cells, empty
            name = entries[at]["field"]
            cells = [c for c, column in zip(row, header) if column == name
                     or column.startswith(f"{name}.")]  # fmt: skip
            assert cells and set(cells) == {""}


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nul=0.01", "--faults 'nul=0.01': unknown fault kind 'nul'"),
        ("null=2", "--faults 'null=2': a rate is a fraction from 0 to 1"),
        ("null", "--faults 'null': give KIND=RATE"),
        ("null=0.6,drift=0.6", "the rates add up to 1.2, more than 1"),
        ("lag=soon,null=0.1", "'soon' is not a duration"),
    ],
)
def test_a_bad_spec_is_one_line_and_exit_2(spec, message):
    done = datagen("simulate", "web", "--count", 10, "--faults", spec, ok=False)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["document", "-p", "starfleet_account", "-o", "-", "--faults", "late=0.01"],
         "--faults late: stream 'starfleet_account' has no time field"),
        (["simulate", "web", "--faults", "dangling=0.01"],
         "--faults dangling: stream 'web' has no reference field"),
        (["document", "-p", "starfleet_account", "-o", "-", "--format", "csv",
          "--faults", "drift=0.01"],
         "--faults drift: stdout has the columns of its first rows"),
        (["document", "-p", "starfleet_account", "-o", "{tmp}/x.parquet",
          "--faults", "drift=0.01"], "--faults drift: file:{tmp}/x.parquet has the"),
        (["document", "-p", "starfleet_account", "-o", "-",
          "--sink", "sqlite:///{tmp}/x.db?table=t", "--faults", "wrong_type=0.01"],
         "--faults wrong_type: sqlite:///{tmp}/x.db?table=t has typed columns"),
        (["document", "-p", "starfleet_account", "-o", "{tmp}/folder",
          "--faults", "null=0.01"], "is written a file per record"),
    ],
)  # fmt: skip
def test_a_fault_that_cannot_apply_is_one_line_and_exit_2(argv, message, tmp_path):
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    message = message.replace("{tmp}", str(tmp_path))
    done = datagen(*argv, ok=False)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "folder").exists() or not any(
        (tmp_path / "folder").iterdir()
    )


def test_a_rate_of_zero_never_needs_its_field():
    done = datagen(
        "document", "-p", "starfleet_account", "-q", 5, "-o", "-",
        "--faults", "late=0,dangling=0",
    )  # fmt: skip
    assert len(done.stdout.splitlines()) == 5
    assert "faults:" not in done.stderr


def test_a_faulted_journey_file_and_a_refused_zip_folder(tmp_path):
    out, faults = tmp_path / "j.jsonl", tmp_path / "f.jsonl"
    datagen(
        "journey", "-p", "ecommerce", "-q", 300, "--seed", 2, "-o", out,
        "--faults", "null=0.05,duplicate=0.05", "--faults-manifest", faults,
    )  # fmt: skip
    lines = read_lines(out)
    for entry in read_manifest(faults):
        if entry["fault"] == "duplicate":
            assert lines[entry["index"]] == lines[entry["original"]]
        else:
            assert json.loads(lines[entry["index"]])[entry["field"]] is None
    done = datagen(
        "journey", "-p", "ecommerce", "-q", 3, "-o", tmp_path / "zips",
        "--faults", "null=0.1", ok=False,
    )  # fmt: skip
    assert done.returncode == 2 and "is written a file per record" in done.stderr


def test_the_summary_counts_clean_and_faulted(tmp_path):
    done = datagen(
        "simulate", "web", "--count", 5000, "--seed", 1, "-o", tmp_path / "w.jsonl",
        "--faults", "duplicate=0.02,null=0.02",
    )  # fmt: skip
    counts = fault_counts(done.stderr)
    written = 5000 + counts["duplicate"]
    assert f"wrote {written:,} web events" in done.stderr
    assert "requested" not in done.stderr  # the duplicates are extra, not missing
    clean = re.search(r"; ([\d,]+) clean", done.stderr)
    assert clean and int(clean.group(1).replace(",", "")) == written - sum(
        counts.values()
    )
