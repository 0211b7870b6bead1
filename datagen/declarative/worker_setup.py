"""What a cluster's worker does before a run's first task: register the
declared provider the driver read from a file.

A declared provider's class is made at run time and does not pickle, so its
file travels by name: the worker reads and registers it (the file must be at
the same path there: a shared volume, or the image the workers run).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datagen.declarative.loader import (
    SUFFIXES,
    TEMPLATE_SUFFIX,
    declare,
    default_registries,
    register,
    use_template,
)


@dataclass(frozen=True)
class DeclaredOnWorkers:
    """Registers each (name, file) of `kind` in a worker, once."""

    kind: str
    files: tuple[tuple[str, str], ...]

    def __call__(self) -> None:
        registry = default_registries()[self.kind]
        for name, origin in self.files:
            if name in registry:
                continue
            path = Path(origin)
            if path.suffix == TEMPLATE_SUFFIX:
                use_template(path)
            else:
                register(declare(path), registry)


def worker_setup(kind: str, names: Iterable[str]) -> DeclaredOnWorkers | None:
    """The setup a cluster's workers need for the providers `names` of
    `kind`: none when modules define them all (imported there by name)."""
    registry = default_registries()[kind]
    files = tuple(
        (name, str(Path(registry.origin(name)).resolve()))
        for name in names
        if Path(registry.origin(name)).suffix in SUFFIXES
    )
    return DeclaredOnWorkers(kind, files) if files else None
