"""Avro message values: a schema derived from events or read from .avsc, the
Confluent wire format (magic byte 0, 4-byte schema id, Avro body), registration."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fastavro
import orjson
from fastavro.schema import SchemaParseException

from datagen.errors import ConfigError, SinkError
from datagen.sinks.avro_writer import compile_writer
from datagen.redaction import redact

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Seconds to connect to the schema registry, and again for its answer.
REGISTRY_TIMEOUT = 5.0
_PRIMITIVES = ((bool, "boolean"), (int, "long"), (float, "double"), (str, "string"))


class _Shape:
    """What the values seen at one place in the events looked like."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.fields: dict[str, _Shape] = {}
        self.items: _Shape | None = None

    def observe(self, value: Any, where: str) -> None:
        if value is None:
            self.types.add("null")
        elif isinstance(value, dict):
            self._observe_record(value, where)
        elif isinstance(value, list):
            self.types.add("array")
            self.items = self.items or _Shape()
            for item in value:
                self.items.observe(item, f"{where}[]")
        else:
            self.types.add(_primitive(value, where))

    def _observe_record(self, record: dict[str, Any], where: str) -> None:
        seen_before = "record" in self.types
        self.types.add("record")
        for key, value in record.items():
            if not _NAME.match(str(key)):
                raise ConfigError(
                    f"avro: field '{where}{key}' is not a valid Avro name "
                    "(letters, digits and _ only); use format=json"
                )
            if key not in self.fields:
                self.fields[key] = _Shape()
                if seen_before:  # absent from earlier events: optional
                    self.fields[key].types.add("null")
            self.fields[key].observe(value, f"{where}{key}.")
        for key, shape in self.fields.items():
            if key not in record:
                shape.types.add("null")

    def to_avro(self, name: str) -> Any:
        """The Avro type: one type, or a union with "null" first when optional."""
        branches: list[Any] = ["null"] if "null" in self.types else []
        for _, avro_type in _PRIMITIVES:
            if avro_type in self.types:
                branches.append(avro_type)
        if "double" in branches and "long" in branches:
            branches.remove("long")  # 1 and 1.5 in one field: a double
        if "record" in self.types:
            branches.append(_record(name, self.fields))
        if "array" in self.types:
            items = self.items
            known = items is not None and bool(items.types - {"null"})
            item_type = (
                items.to_avro(f"{name}_item")
                if items is not None and known
                else "string"
            )
            branches.append({"type": "array", "items": item_type})
        if branches == ["null"]:
            branches.append("string")  # only ever null: a string that is absent
        return branches[0] if len(branches) == 1 else branches


def _primitive(value: Any, where: str) -> str:
    for python_type, avro_type in _PRIMITIVES:
        if isinstance(value, python_type):
            return avro_type
    raise ConfigError(
        f"avro: field '{where.rstrip('.')}' holds a {type(value).__name__}, "
        "which has no Avro type here; give a schema with schema=FILE.avsc"
    )


def _record(name: str, fields: dict[str, _Shape]) -> dict[str, Any]:
    avro_fields = []
    for key, shape in fields.items():
        avro_type = shape.to_avro(f"{name}_{key}")
        field: dict[str, Any] = {"name": key, "type": avro_type}
        if isinstance(avro_type, list) and avro_type[0] == "null":
            field["default"] = None
        avro_fields.append(field)
    return {"type": "record", "name": name, "fields": avro_fields}


def record_name(text: str) -> str:
    """text (a topic, say) made into a valid Avro record name."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text) or "Event"
    return name if _NAME.match(name) else f"_{name}"


def derive_schema(
    events: Iterable[dict[str, Any]], name: str = "Event", namespace: str = "datagen"
) -> dict[str, Any]:
    """An Avro record schema that fits every one of events.

    A field missing or null in some events becomes optional (a union with null,
    default null); lists that were always empty become arrays of strings.
    Raises ConfigError for a field name or value Avro cannot hold.
    """
    shape = _Shape()
    for event in events:
        shape.observe(event, "")
    if "record" not in shape.types:
        raise ConfigError("avro: no events to derive a schema from")
    shape.types = {"record"}
    return {**_record(record_name(name), shape.fields), "namespace": namespace}


def load_schema(path: str | Path) -> dict[str, Any]:
    """The Avro schema in an .avsc file; ConfigError naming the file if it is bad."""
    try:
        schema = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise ConfigError(f"avro schema '{path}': {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"avro schema '{path}' is not JSON: {exc}") from None
    check_schema(schema, str(path))
    return schema


def check_schema(schema: Any, origin: str) -> None:
    """Raise ConfigError naming origin when schema is not valid Avro."""
    try:
        fastavro.parse_schema(schema)
    except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"avro schema '{origin}' is not valid: {exc}") from None


class AvroEncoder:
    """Events as Kafka values in the Confluent wire format for one schema id."""

    def __init__(self, schema: dict[str, Any], schema_id: int) -> None:
        self.schema = schema
        self.schema_id = schema_id
        self._parsed = fastavro.parse_schema(schema)
        self._header = struct.pack(">bI", 0, schema_id)
        self._fast = compile_writer(schema, self._header)

    def encode(self, event: dict[str, Any]) -> bytes:
        """Magic byte, schema id, Avro body; ValueError when event does not fit."""
        if self._fast is not None:
            try:
                return self._fast(event)
            except Exception:  # noqa: S110 - fastavro below says what is wrong
                pass
        buffer = io.BytesIO()
        buffer.write(self._header)
        try:
            fastavro.schemaless_writer(buffer, self._parsed, event)
        except (TypeError, AttributeError, OverflowError) as exc:
            raise ValueError(str(exc)) from None
        return buffer.getvalue()


def register_schema(
    registry_url: str,
    subject: str,
    schema: dict[str, Any],
    timeout: float = REGISTRY_TIMEOUT,
) -> int:
    """Register schema under subject at the Schema Registry; returns its id.

    Connecting and the answer each wait at most `timeout` seconds. A registry
    that cannot be reached (refused: it may be starting) is a retriable
    SinkError; one that connects but does not answer in time is not (trying
    again would wait as long again), nor is a refused schema; no message
    holds the registry's password.
    """
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    from confluent_kafka.schema_registry.error import SchemaRegistryError

    client = SchemaRegistryClient(
        {"url": registry_url, "timeout": timeout, "max.retries": 0}
    )
    text = orjson.dumps(schema).decode()
    where = f"schema registry {redact(registry_url)}"
    try:
        return client.register_schema(subject, Schema(text, "AVRO"))
    except SchemaRegistryError as exc:
        raise SinkError(
            f"{where} refused the schema for '{subject}': {exc.error_message}"
        ) from None
    except Exception as exc:  # the HTTP client's connection and timeout errors
        if type(exc).__name__ == "ReadTimeout":  # connected, no answer
            raise SinkError(f"{where} did not answer within {timeout:g} s") from None
        raise SinkError(
            f"{where} did not answer: {type(exc).__name__}", retriable=True
        ) from None
    finally:
        client.close()
