"""A JSON-lines file read strictly: each line one JSON object, or a one-line
ConfigError naming the file and the line (the run's manifests, ground truth
and events read back)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from datagen.errors import ConfigError

__all__ = ["read_json_lines"]


def read_json_lines(path: Path, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number from 1, object) of each line of path, read as it goes;
    blank lines skipped, lines split at '\\n' only. ConfigError starting with
    `what` (the option or command that names the file) for a file that
    cannot be read, or a line that is not JSON or not a JSON object."""
    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise ConfigError(
                        f"{what} {path}:{number}: not a JSON line"
                    ) from None
                if not isinstance(record, dict):
                    raise ConfigError(f"{what} {path}:{number}: not a JSON object")
                yield number, record
    except OSError as exc:
        raise ConfigError(f"{what} {path}: {exc.strerror or exc}") from None
