"""A settings file (YAML, or JSON, which YAML reads too) read as one mapping,
or one line naming the file, and the line, at fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from datagen.errors import ConfigError


def read_mapping(path: Path, holds: str = "a mapping of settings") -> dict[str, Any]:
    """The mapping the file holds ({} when it is empty). ConfigError when it
    cannot be read, is not UTF-8 or not YAML, or holds something else than
    a mapping (`holds` says what it should hold)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}: {byte:#04x})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: not valid YAML: {reason}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must hold {holds}")
    return data
