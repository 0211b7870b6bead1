"""Atomic file writes: a temp file beside the target, renamed into place when whole."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from datagen.errors import ConfigError

TEMP_PREFIX = ".datagen-tmp-"


def temp_path_for(target: Path) -> Path:
    """The temp file that becomes target; unique per process."""
    return target.with_name(f"{TEMP_PREFIX}{os.getpid()}-{target.name}")


@contextmanager
def _naming(target: Path) -> Iterator[None]:
    """OSError as a ConfigError naming target, not the temp file."""
    try:
        yield
    except OSError as exc:
        raise ConfigError(f"cannot write '{target}': {exc.strerror or exc}") from exc


def write_atomic(target: Path, data: bytes) -> None:
    """Write data to target so a reader never sees a partial file.

    Raises ConfigError naming target when it cannot be written.
    """
    temp = temp_path_for(target)
    try:
        with _naming(target):
            with open(temp, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class AtomicFile:
    """A file written under a temp name and renamed to its target on commit()."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temp = temp_path_for(target)
        with _naming(target):
            self.handle: BinaryIO = open(self.temp, "wb")

    def write(self, data: bytes) -> None:
        with _naming(self.target):
            self.handle.write(data)

    def commit(self) -> None:
        """Close and move into place; what was written is now the target.

        Raises ConfigError naming the target (the temp file is then removed)."""
        if not self.handle.closed:
            try:
                with _naming(self.target):
                    self.handle.close()
                    os.replace(self.temp, self.target)
            except ConfigError:
                self.temp.unlink(missing_ok=True)
                raise

    def discard(self) -> None:
        """Close and remove the temp file; the target is untouched."""
        if not self.handle.closed:
            self.handle.close()
        self.temp.unlink(missing_ok=True)


def remove_temp_files(folder: Path) -> None:
    """Delete temp files a killed worker left in folder."""
    for leftover in folder.glob(f"{TEMP_PREFIX}*"):
        leftover.unlink(missing_ok=True)
