"""`python generate.py ...` in a subprocess, as a user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def interrupt_when(
    process: subprocess.Popen[Any],
    ready: Callable[[], bool],
    patience: float,
    what: str,
) -> Any:
    """Ctrl-C the running process once ready() (within patience seconds, else
    the test fails naming `what`); its stderr, once it exited with 130."""
    deadline = time.monotonic() + patience
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{what} in {patience:.0f} s"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    return stderr
