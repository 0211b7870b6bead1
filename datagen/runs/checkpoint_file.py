"""A checkpoint on disk: DIR/checkpoint.json (versioned, replaced atomically)
and DIR/checkpoint.lock, which one run at a time holds.

The JSON is replaced whole (a temp file, fsynced, renamed), so a run killed
at any moment leaves the last checkpoint it finished writing. The lock is an
flock: the system drops it when its process dies, even by SIGKILL, so a
crashed run never leaves its folder locked.
"""

from __future__ import annotations

import fcntl
import os
import time
import weakref
from pathlib import Path
from typing import Any

import orjson

from datagen.encoders import dumps_pretty
from datagen.errors import ConfigError
from datagen.files.atomic import remove_stale_temp_files, write_atomic

FILE = "checkpoint.json"
LOCK = "checkpoint.lock"
FORMAT = "datagen checkpoint"
VERSION = 1
#: How long a run waits for the folder's lock (a killed run's workers may
#: hold it for a moment after their parent died).
_LOCK_WAIT = 3.0
#: What every checkpoint holds, and the type of each.
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "state": str,
    "fingerprint": dict,
    "events": int,
    "seconds": (int, float),
    "sinks": list,
}
#: A run's states: saved while running, after a stop (Ctrl-C), with every
#: event delivered and the sinks about to close, and done.
STATES = ("running", "stopped", "closing", "finished")


def read_saved(folder: Path, option: str) -> dict[str, Any] | None:
    """The checkpoint in folder; None when there is none; ConfigError when
    it is not one (`option` names the folder in the message)."""
    path = folder / FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{option} {folder}: cannot read {FILE}: {exc}") from exc
    try:
        saved = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _not_one(folder, option, f"not JSON: {exc}") from exc
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise _not_one(folder, option, f'no "format": "{FORMAT}"')
    if saved.get("version") != VERSION:
        raise _not_one(
            folder,
            option,
            f"format version {saved.get('version')!r}; this datagen reads {VERSION}",
        )
    for name, kind in _FIELDS.items():
        if not isinstance(saved.get(name), kind) or isinstance(saved[name], bool):
            raise _not_one(folder, option, f'"{name}" is missing or wrong')
    if saved["state"] not in STATES:
        raise _not_one(folder, option, f"unknown state {saved['state']!r}")
    return saved


def _not_one(folder: Path, option: str, why: str) -> ConfigError:
    return ConfigError(f"{option} {folder}: {FILE} is not a datagen checkpoint ({why})")


def write_saved(folder: Path, record: dict[str, Any]) -> None:
    """Replace the folder's checkpoint with record (format and version added)."""
    whole = {"format": FORMAT, "version": VERSION, **record}
    write_atomic(folder / FILE, dumps_pretty(whole))


class FolderLock:
    """The lock of a checkpoint folder, held by this process until
    release() (or until the object is collected, or the process ends)."""

    def __init__(self, folder: Path, option: str) -> None:
        """Take it; ConfigError when another live run holds it. What a run
        killed while saving left in the folder is removed."""
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        deadline = time.monotonic() + _LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise ConfigError(
                        f"{option} {folder}: another run is using this checkpoint"
                    ) from None
                time.sleep(0.1)
        self._release = weakref.finalize(self, os.close, fd)
        remove_stale_temp_files(folder)

    def release(self) -> None:
        """Let another run take the folder (idempotent)."""
        self._release()


def differences(saved: dict[str, Any], given: dict[str, Any]) -> list[str]:
    """What differs between a checkpoint's fingerprint and this run's, one
    `NAME is X, the checkpoint's Y` each, in the order of this run's (a
    name one of them lacks is "not given" there)."""
    found = []
    for name in [*given, *(name for name in saved if name not in given)]:
        mine, theirs = given.get(name), saved.get(name)
        if mine != theirs:
            found.append(f"{name} is {_shown(mine)}, the checkpoint's {_shown(theirs)}")
    return found


def _shown(value: Any) -> str:
    if value is None or value == [] or value == ():
        return "not given"
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return str(value)
