"""A real small disk for tests of what a full disk does: a 2 MB tmpfs."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh 2 MB tmpfs mounted for the test (root only, as the project's
    test machines run)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True
    )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill disk with a ballast file until about `leave` bytes are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    (disk / "ballast").write_bytes(b"\0" * max(0, free - leave))


@pytest.fixture
def fill_disk() -> Callable[[Path, int], None]:
    """fill_disk(disk, leave): leave about that many bytes free on disk."""
    return fill
