"""Checks for names and folders that reach the file system."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from datagen.errors import ConfigError
from datagen.files.atomic import TEMP_PREFIX

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def safe_file_name(name: str, what: str = "name") -> str:
    """name if it can be a file name inside the output folder; else ConfigError."""
    if not _SAFE_NAME.match(name) or ".." in name:
        raise ConfigError(
            f"{what} '{name}' cannot be used in a file name "
            "(letters, digits, '_', '-', '.' only)"
        )
    return name


def prepare_output_folder(path: Path, what: str = "output path") -> Path:
    """Create path as a folder (with parents) that we can write to; else a
    ConfigError naming it as `what` (the option it comes from)."""
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            raise ConfigError(f"{what} '{path}': '{parent}' is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{what} '{path}' cannot be created: {exc.strerror}"
        ) from None
    _check_writable(path, what)
    return path


def _check_writable(folder: Path, what: str) -> None:
    """ConfigError unless a file can be created in folder.

    os.access() says yes to root everywhere (even in /proc), so try for real,
    with a new file under a random name (never through a planted symlink),
    named like a temp file so a killed run's probe is cleaned up later.
    """
    try:
        fd, probe = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix="-probe", dir=folder
        )
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(
            f"{what} '{folder}' is not writable: {exc.strerror}"
        ) from None
