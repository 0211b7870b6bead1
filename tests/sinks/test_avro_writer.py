"""The compiled Avro writer writes exactly fastavro's bytes, or steps aside."""

from __future__ import annotations

import io
import random
from typing import Any

import fastavro
import pytest

from datagen.sinks.avro import AvroEncoder, derive_schema
from datagen.sinks.avro_writer import compile_writer, zigzag

HEADER = b"\x00\x00\x00\x00\x2a"
SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Event",
    "namespace": "test",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "count", "type": "long"},
        {"name": "ratio", "type": "double"},
        {"name": "ok", "type": "boolean"},
        {"name": "blob", "type": "bytes"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "currency", "type": "string", "default": "EUR"},
        {
            "name": "address",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "Address",
                    "fields": [
                        {"name": "city", "type": "string"},
                        {"name": "zip", "type": ["null", "long"], "default": None},
                    ],
                },
            ],
            "default": None,
        },
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "homes", "type": {"type": "array", "items": "Address"}},
        {
            "name": "matrix",
            "type": {"type": "array", "items": {"type": "array", "items": "long"}},
        },
    ],
}


def fastavro_bytes(schema: dict[str, Any], event: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), event)
    return HEADER + buffer.getvalue()


def random_event(rng: random.Random) -> dict[str, Any]:
    text = "".join(rng.choice("aé€😀 z") for _ in range(rng.randint(0, 2000)))
    event: dict[str, Any] = {
        "id": text,
        "count": rng.choice([0, 1, -1, 63, 64, -65, 1023, 1024, 2**40, -(2**63)]),
        "ratio": rng.uniform(-1e9, 1e9),
        "ok": rng.random() < 0.5,
        "blob": bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40))),
        "tags": [str(n) for n in range(rng.randint(0, 3))],
        "homes": [{"city": "X", "zip": None}] * rng.randint(0, 2),
        "matrix": [[rng.randint(-5, 5)] * rng.randint(0, 3)] * rng.randint(0, 2),
    }
    if rng.random() < 0.5:
        event["note"] = rng.choice([None, "hello"])
    if rng.random() < 0.5:
        event["currency"] = "GBP"
    if rng.random() < 0.7:
        event["address"] = {"city": "Zürich", "zip": rng.choice([None, 8001])}
    return event


def test_same_bytes_as_fastavro_for_many_events() -> None:
    write = compile_writer(SCHEMA, HEADER)
    assert write is not None
    rng = random.Random(7)
    for _ in range(500):
        event = random_event(rng)
        assert write(event) == fastavro_bytes(SCHEMA, event), event


def test_zigzag_matches_avro_for_edges() -> None:
    long_schema = {
        "type": "record",
        "name": "L",
        "fields": [{"name": "n", "type": "long"}],
    }
    for number in (0, -1, 1, 2**31, -(2**31), 2**63 - 1, -(2**63)):
        assert HEADER + zigzag(number) == fastavro_bytes(long_schema, {"n": number})


@pytest.mark.parametrize(
    "field_type",
    [
        {"type": "enum", "name": "E", "symbols": ["A"]},
        {"type": "map", "values": "string"},
        ["null", "string", "long"],
        "int",
        {"type": "string", "logicalType": "uuid"},
        "Unknown",
    ],
)
def test_other_schemas_are_left_to_fastavro(field_type: Any) -> None:
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "x", "type": field_type}],
    }
    assert compile_writer(schema, HEADER) is None


def test_field_names_are_data_not_code() -> None:
    schema = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "x'] ; import os ; r['", "type": "string"}],
    }
    write = compile_writer(schema, HEADER)
    assert write is not None
    assert write({"x'] ; import os ; r['": "v"}) == HEADER + b"\x02v"


def test_encoder_falls_back_to_fastavro_for_errors_and_defaults() -> None:
    schema = derive_schema([{"id": "a", "n": 1, "tags": ["t"]}])
    encoder = AvroEncoder(schema, 42)
    assert encoder.encode({"id": "b", "n": 5, "tags": []}) == fastavro_bytes(
        schema, {"id": "b", "n": 5, "tags": []}
    )
    with pytest.raises(ValueError):
        encoder.encode({"id": "b", "n": "five", "tags": []})
    with pytest.raises(ValueError):
        encoder.encode({"id": "b", "tags": []})
