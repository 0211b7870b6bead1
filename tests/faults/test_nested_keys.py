"""out_of_order finds a record's partner by its top-level key, however the
records reach the injector (dicts with one worker, JSON lines with more):
a nested field of the key's name is no key."""

from __future__ import annotations

import json

from tests.faults.test_cli_faults import datagen

NESTED = """\
provider: nested_ids
fields:
  customer: {id: {gen: integer, min: 1, max: 3}, note: {gen: text.word}}
  id: {gen: integer, min: 1, max: 5}
  event_time: {gen: timestamp, min: "2024-01-01T00:00:00", max: "2024-01-02T00:00:00"}
"""


def test_out_of_order_is_the_same_whatever_the_workers(tmp_path):
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "nested_ids.yaml").write_text(NESTED)
    outputs = []
    for workers in (1, 2):
        out, faults = f"out{workers}.jsonl", f"f{workers}.jsonl"
        datagen(
            "document", "-p", "nested_ids", "-q", 20000, "--seed", 3,
            "--providers-dir", "providers", "--format", "jsonl", "-o", out,
            "--faults", "out_of_order=0.05", "--faults-manifest", faults,
            "--workers", workers, cwd=tmp_path,
        )  # fmt: skip
        outputs.append(
            ((tmp_path / out).read_bytes(), (tmp_path / faults).read_bytes())
        )
    (one, listed), (two, listed_two) = outputs
    entries = [json.loads(line) for line in listed.splitlines()]
    assert len(entries) > 500 and {e["fault"] for e in entries} == {"out_of_order"}
    assert listed == listed_two
    assert one == two
