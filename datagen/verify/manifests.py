"""A run's manifest (--manifest) and its faults manifest (--faults-manifest), read.

Both are checked where read: a file that is not one is a ConfigError naming
the file (and the line of a faults manifest) and what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from datagen.errors import ConfigError
from datagen.files.json_lines import read_json_lines
from datagen.faults.spec import FAULT_KINDS
from datagen.declarative.distributions import Distributions, normalised

__all__ = [
    "FAULT_KINDS",
    "fault_spec_of",
    "Fault",
    "RunManifest",
    "SinkCounts",
    "StreamRecord",
    "read_faults",
    "read_manifest",
]


@dataclass(frozen=True)
class Fault:
    """One line of a faults manifest."""

    index: int
    fault: str
    stream: str
    key: Any = None
    field: str | None = None
    original: Any = None


@dataclass(frozen=True)
class StreamRecord:
    """What the run manifest says of one stream."""

    name: str
    count: int | None = None
    clean: int | None = None
    faulted: dict[str, int] = field(default_factory=dict)
    key_field: str | None = None
    time_field: str | None = None
    actor_field: str | None = None
    distributions: Distributions = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    #: {"min": ..., "max": ..., "distinct": N} of the key field.
    keys: dict[str, Any] = field(default_factory=dict)
    #: The stream's own faults spec (a provider's declared faults may differ).
    fault_spec: str | None = None


@dataclass(frozen=True)
class SinkCounts:
    name: str
    stream: str | None
    sent: int | None
    acknowledged: int | None
    failed: int | None


@dataclass(frozen=True)
class RunManifest:
    file: Path
    streams: dict[str, StreamRecord]
    sinks: list[SinkCounts]
    seed: Any = None
    #: The run's --faults spec as text (with `lag=` when not the default).
    fault_spec: str | None = None


def _read_json(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what} {path}: {exc.strerror or exc}") from None


def read_faults(path: Path) -> dict[str, list[Fault]]:
    """The faults manifest's lines by stream, in file order."""
    found: dict[str, list[Fault]] = {}
    for number, item in read_json_lines(path, "--faults-manifest"):
        fault = _fault(item, f"--faults-manifest {path}:{number}")
        found.setdefault(fault.stream, []).append(fault)
    return found


def _fault(item: Mapping[str, Any], where: str) -> Fault:
    index = item.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ConfigError(f"{where}: index must be a whole number >= 0, not {index!r}")
    kind = item.get("fault")
    if kind not in FAULT_KINDS:
        raise ConfigError(
            f"{where}: fault {kind!r} is not one of {', '.join(FAULT_KINDS)}"
        )
    stream = item.get("stream")
    if not isinstance(stream, str) or not stream:
        raise ConfigError(f"{where}: stream must be a name, not {stream!r}")
    name = item.get("field")
    return Fault(
        index,
        kind,
        stream,
        item.get("key"),
        name if isinstance(name, str) else None,
        item.get("original"),
    )


def read_manifest(path: Path) -> RunManifest:
    """The run manifest: its streams (what verify uses of each) and sinks."""
    try:
        data = orjson.loads(_read_json(path, "--manifest"))
    except orjson.JSONDecodeError:
        raise ConfigError(f"--manifest {path}: not a JSON object") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"--manifest {path}: not a JSON object")
    streams = data.get("streams") or {}
    if not isinstance(streams, Mapping):
        raise ConfigError(f"--manifest {path}: streams must be an object")
    sinks = data.get("sinks") or []
    if not isinstance(sinks, list):
        raise ConfigError(f"--manifest {path}: sinks must be a list")
    return RunManifest(
        path,
        {
            str(name): _stream(str(name), info, f"--manifest {path}: streams.{name}")
            for name, info in streams.items()
        },
        [_sink(sink, f"--manifest {path}: sinks[{n}]") for n, sink in enumerate(sinks)],
        data.get("seed"),
        _fault_spec(data.get("faults"), f"--manifest {path}: faults"),
    )


def fault_spec_of(
    manifest: RunManifest | None, stream: StreamRecord | None
) -> str | None:
    """The faults spec a stream was made with: its own, else the run's."""
    if stream is not None and stream.fault_spec:
        return stream.fault_spec
    return manifest.fault_spec if manifest is not None else None


def _fault_spec(faults: Any, where: str) -> str | None:
    if faults is None:
        return None
    if not isinstance(faults, Mapping):
        raise ConfigError(f"{where} must be an object")
    return _text(faults, "spec", where)


def _stream(name: str, info: Any, where: str) -> StreamRecord:
    if not isinstance(info, Mapping):
        raise ConfigError(f"{where} must be an object")
    faulted = info.get("faulted") or {}
    references = info.get("references") or {}
    outputs = info.get("outputs") or []
    if not isinstance(faulted, Mapping) or not all(_count(n) for n in faulted.values()):
        raise ConfigError(f"{where}.faulted must map fault kinds to counts")
    if not isinstance(references, Mapping):
        raise ConfigError(f"{where}.references must map fields to stream.field")
    if not isinstance(outputs, list):
        raise ConfigError(f"{where}.outputs must be a list")
    return StreamRecord(
        name,
        _number(info, "count", where),
        _number(info, "clean", where),
        {str(kind): int(n) for kind, n in faulted.items()},
        _text(info, "key_field", where),
        _text(info, "time_field", where),
        _text(info, "actor_field", where),
        normalised(info.get("distributions") or {}, f"{where}"),
        {str(k): str(v) for k, v in references.items()},
        [str(output) for output in outputs],
        dict(info["keys"]) if isinstance(info.get("keys"), Mapping) else {},
        _text(info, "faults_spec", where),
    )


def _sink(info: Any, where: str) -> SinkCounts:
    if not isinstance(info, Mapping):
        raise ConfigError(f"{where} must be an object")
    return SinkCounts(
        str(info.get("name", "")),
        _text(info, "stream", where),
        _number(info, "sent", where),
        _number(info, "acknowledged", where),
        _number(info, "failed", where),
    )


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(info: Mapping[str, Any], key: str, where: str) -> int | None:
    value = info.get(key)
    if value is None:
        return None
    if not _count(value):
        raise ConfigError(f"{where}.{key} must be a count, not {value!r}")
    return int(value)


def _text(info: Mapping[str, Any], key: str, where: str) -> str | None:
    value = info.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key} must be text, not {value!r}")
    return value
