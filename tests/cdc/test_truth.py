"""GroundTruth: the live records a change stream leaves, one line per key."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from datagen.errors import ConfigError
from datagen.runs.truth import GroundTruth


def lines(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_flat_changes_keep_the_last_version_of_live_keys(tmp_path: Path) -> None:
    truth = GroundTruth(tmp_path / "truth", "customers", "customer_id")
    truth.observe(
        [
            {"op": "c", "customer_id": 2, "version": 1, "email": "a@x"},
            {"op": "c", "customer_id": 10, "version": 1, "email": "b@x"},
            {"op": "u", "customer_id": 2, "version": 2, "email": "c@x"},
        ]
    )
    truth.observe(
        [
            {"op": "d", "customer_id": 10, "version": 2, "email": "b@x"},
            {"op": "c", "customer_id": 1, "version": 1, "email": "d@x"},
        ]
    )
    path = truth.write()
    assert path == tmp_path / "truth" / "customers.jsonl"
    assert lines(path) == [
        {"customer_id": 1, "version": 1, "email": "d@x"},
        {"customer_id": 2, "version": 2, "email": "c@x"},
    ]


def test_envelopes_and_plain_records(tmp_path: Path) -> None:
    truth = GroundTruth(tmp_path, "s", "id")
    truth.observe(
        [
            {"op": "c", "before": None, "after": {"id": "b", "n": 1}, "ts_ms": 1},
            {"op": "c", "before": None, "after": {"id": "a", "n": 1}, "ts_ms": 2},
            {"op": "u", "before": {"id": "a", "n": 1}, "after": {"id": "a", "n": 2}},
            {"op": "d", "before": {"id": "b", "n": 1}, "after": None},
            {"id": "c", "n": 7},
            {"id": "c", "n": 8},
        ]
    )
    assert lines(truth.write()) == [{"id": "a", "n": 2}, {"id": "c", "n": 8}]


def test_a_later_change_to_the_event_does_not_reach_the_truth(tmp_path: Path) -> None:
    truth = GroundTruth(tmp_path, "s", "id")
    event = {"id": 1, "n": 1}
    truth.observe([event])
    event["n"] = None  # what a fault does after the truth saw the clean event
    assert lines(truth.write()) == [{"id": 1, "n": 1}]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"op": "x", "id": 1}, "op must be c, r, u or d, not 'x'"),
        ({"op": "u", "before": None, "after": None}, "needs the 'after' image"),
        ({"op": "c", "other": 1}, "has no key field 'id'"),
    ],
)
def test_bad_events_are_one_line(tmp_path: Path, event: dict, message: str) -> None:
    truth = GroundTruth(tmp_path, "s", "id")
    with pytest.raises(ConfigError, match=message):
        truth.observe([event])
