"""`python generate.py ...` in a subprocess, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "generate.py"


def generate_command(*argv: object) -> list[str]:
    """The argv of `python generate.py ...` with this interpreter."""
    return [sys.executable, str(GENERATE), *map(str, argv)]


def run_generate(
    *argv: object, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python generate.py ...` in a subprocess, as a user runs it."""
    return subprocess.run(
        generate_command(*argv),
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
