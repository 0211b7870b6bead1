"""pip install / uninstall of the test plugin packages into this virtualenv."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from datagen import DOCUMENT_PROVIDERS, JOURNEY_PROVIDERS, SIMULATIONS

HERE = Path(__file__).resolve().parent


def pip(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def installed(tmp: Path, packages: dict[str, str]) -> Iterator[None]:
    """The plugin folders (folder name -> distribution) pip-installed for the
    block, uninstalled after it (the virtualenv is shared: keep it short)."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("not running in a virtualenv: will not pip install into it")
    # This process has read the entry points already; it must not pick these up.
    for registry in (DOCUMENT_PROVIDERS, JOURNEY_PROVIDERS, SIMULATIONS):
        registry.load()
    try:
        for folder, _ in packages.items():
            source = tmp / folder
            shutil.copytree(HERE / folder, source)  # builds leave files beside it
            done = pip(
                "install", "--no-deps", "--no-build-isolation", "-q", str(source)
            )
            assert done.returncode == 0, done.stdout + done.stderr
        yield
    finally:
        for distribution in packages.values():
            pip("uninstall", "-y", "-q", distribution)
