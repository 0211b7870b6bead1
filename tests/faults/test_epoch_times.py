"""One reading of a record's time for faults, the run record and verify:
epoch numbers above 1e11 are milliseconds (a Debezium envelope's ts_ms)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import orjson

from datagen.timefmt import epoch_seconds
from tests.faults.test_cli_faults import datagen

NEW_YEAR = datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()


def test_every_form_of_a_time_reads_as_the_same_seconds():
    for value in (
        "2025-01-01T00:00:00Z",
        "2025-01-01T01:00:00+01:00",
        "2025-01-01 00:00:00",
        "2025-01-01",
        datetime(2025, 1, 1),
        date(2025, 1, 1),
        NEW_YEAR,
        int(NEW_YEAR * 1000),
    ):
        assert epoch_seconds(value) == NEW_YEAR, value
    for value in (True, None, "soon", "12:00:00", [1], "2025-13-01"):
        assert epoch_seconds(value) is None, value


def test_verify_finds_the_late_faults_of_a_debezium_envelope(tmp_path):
    (tmp_path / "envelope.yaml").write_text("envelope: debezium\n")
    datagen(
        "simulate", "customers_cdc", "--count", 3000, "--seed", 4,
        "--config", "envelope.yaml", "-o", "out.jsonl", "--faults", "late=0.02",
        "--faults-manifest", "f.jsonl", "--manifest", "m.json", "--quiet",
        cwd=tmp_path,
    )  # fmt: skip
    done = datagen(
        "verify", "out.jsonl", "--faults-manifest", "f.jsonl", "--manifest",
        "m.json", ok=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "faulted records found, as the faults manifest lists" in done.stdout
    assert '"time_field": "ts_ms"' in (tmp_path / "m.json").read_text()
    # each faulted change is listed with its key, read in the envelope's image
    listed = [
        orjson.loads(line) for line in (tmp_path / "f.jsonl").read_bytes().splitlines()
    ]
    assert listed and all(isinstance(entry["key"], int) for entry in listed)
