"""What a cluster's worker does before a run's first task: register the
declared providers the driver read from files.

A declared provider's class is made at run time and does not pickle, so its
file travels by path and digest: the worker reads and registers it (the
file must be at the same path there: a shared volume, or the image the
workers run), again when the driver's copy has changed since, and refuses
in one line a copy that is not the driver's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datagen.declarative.loader import SUFFIXES, declare, default_registries
from datagen.errors import ConfigError

#: (kind, name) -> digest of the file this process registered it from.
_registered: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class DeclaredOnWorkers:
    """Registers each (name, file, sha256) of `kind` in a worker."""

    kind: str
    files: tuple[tuple[str, str, str], ...]

    def __call__(self) -> None:
        registry = default_registries()[self.kind]
        for name, origin, digest in self.files:
            if _registered.get((self.kind, name)) == digest:
                continue
            path = Path(origin)
            if file_digest(path) != digest:
                raise ConfigError(
                    f"{origin}: the workers' copy is not the driver's (keep"
                    " declarations on a volume every worker mounts at the same path)"
                )
            declared = declare(path)
            declared.problems.raise_if_any()
            registry.replace(name, declared.item, origin)
            _registered[(self.kind, name)] = digest


def file_digest(path: Path) -> str:
    """The file's SHA-256 ('' when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def worker_setup(kind: str, names: Iterable[str]) -> DeclaredOnWorkers | None:
    """The setup a cluster's workers need for the providers `names` of
    `kind`: none when modules define them all (imported there by name)."""
    registry = default_registries()[kind]
    files = []
    for name in names:
        origin = Path(registry.origin(name))
        if origin.suffix in SUFFIXES:
            path = origin.resolve()
            files.append((name, str(path), file_digest(path)))
    return DeclaredOnWorkers(kind, tuple(files)) if files else None
