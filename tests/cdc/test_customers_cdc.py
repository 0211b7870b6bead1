"""`simulate customers_cdc`: every key is created, updated and maybe deleted
in order with versions 1, 2, 3...; the envelope carries the same changes;
same seed, same bytes whatever --workers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from datagen.engine.simulation import build_model
from datagen.runs.truth import GroundTruth
from datagen.timefmt import parse_time

Events = list[dict[str, Any]]
RUN = ("simulate", "customers_cdc", "--duration", "8h", "--seed", "13")


def read(path: Path) -> Events:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def envelope_config(tmp_path: Path) -> Path:
    config = tmp_path / "debezium.yml"
    config.write_text("envelope: debezium\n")
    return config


def truth(events: Events, tmp_path: Path) -> list[dict[str, Any]]:
    collected = GroundTruth(tmp_path, "customers", "customer_id")
    collected.observe(events)
    return collected.records()


def test_each_key_is_created_changed_and_maybe_deleted_in_order(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    invoke(*RUN, "-o", tmp_path / "out.jsonl")
    events = read(tmp_path / "out.jsonl")
    by_key: dict[Any, Events] = defaultdict(list)
    for event in events:
        by_key[event["customer_id"]].append(event)
    ops = "".join(event["op"] for event in events)
    assert ops.count("c") == len(by_key) > 100  # the initial ones and arrivals
    assert ops.count("d") > 20 and ops.count("u") > ops.count("c")
    fields = list(events[0])
    assert fields[:4] == ["op", "customer_id", "version", "event_time"]
    for changes in by_key.values():
        assert "".join(event["op"] for event in changes).rstrip("d").strip("u") in (
            "c",
            "",
        ), changes
        assert changes[0]["op"] == "c"
        assert "d" not in [event["op"] for event in changes[:-1]]
        assert [event["version"] for event in changes] == list(
            range(1, len(changes) + 1)
        )
        times = [parse_time(event["event_time"]) for event in changes]
        assert times == sorted(times)
        assert all(list(event) == fields for event in changes)
        # an update changes something besides its version and time
        for before, after in zip(changes, changes[1:]):
            if after["op"] == "u":
                skip = {"op", "version", "event_time"}
                assert {k: v for k, v in before.items() if k not in skip} != {
                    k: v for k, v in after.items() if k not in skip
                }


def test_the_envelope_carries_the_same_changes(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    invoke(*RUN, "-o", tmp_path / "flat.jsonl")
    config = envelope_config(tmp_path)
    invoke(*RUN, "--config", config, "-o", tmp_path / "envelope.jsonl")
    flat, wrapped = read(tmp_path / "flat.jsonl"), read(tmp_path / "envelope.jsonl")
    assert len(flat) == len(wrapped)
    last: dict[Any, dict[str, Any]] = {}
    for change, envelope in zip(flat, wrapped):
        assert list(envelope) == ["before", "after", "op", "ts_ms", "source"]
        assert envelope["op"] == change["op"]
        image = {k: v for k, v in change.items() if k != "op"}
        key = change["customer_id"]
        assert envelope["before"] == last.get(key)
        assert envelope["after"] == (None if change["op"] == "d" else image)
        seconds = parse_time(change["event_time"]).timestamp()
        assert envelope["ts_ms"] == round(seconds * 1000)
        assert envelope["source"]["table"] == "customers"
        last[key] = image
    assert truth(wrapped, tmp_path) == truth(flat, tmp_path)


@pytest.mark.parametrize("envelope", [False, True], ids=["flat", "envelope"])
def test_same_seed_same_bytes_whatever_workers(
    invoke: Callable[..., Any], tmp_path: Path, envelope: bool
) -> None:
    config = ("--config", envelope_config(tmp_path)) if envelope else ()
    outputs = []
    for workers in (1, 2):
        path = tmp_path / f"w{workers}.jsonl"
        invoke(*RUN, *config, "--workers", workers, "-o", path)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 1000


def test_the_model_names_its_key_and_time_fields(tmp_path: Path) -> None:
    model = build_model("customers_cdc")
    assert (model.key_field, model.time_field) == ("customer_id", "event_time")
    wrapped = build_model("customers_cdc", envelope_config(tmp_path))
    assert (wrapped.key_field, wrapped.time_field) == ("customer_id", "ts_ms")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("envelope: xml\n", "envelope must be flat or debezium, not 'xml'"),
        ("update_every: soon\n", "update_every: 'soon' is not a duration"),
        ("colour: red\n", "unknown setting 'colour' (known: envelope, "),
        ("- 1\n", "must hold a mapping of settings"),
    ],
)
def test_a_bad_config_is_one_line(
    invoke: Callable[..., Any], tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "cdc.yml"
    config.write_text(text)
    result = invoke(*RUN, "--config", config, ok=False)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
