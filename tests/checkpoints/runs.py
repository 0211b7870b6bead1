"""Checkpointed runs as a user starts them: `python generate.py ...` in a
subprocess, stopped (SIGKILL, Ctrl-C) once its checkpoint shows progress."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from datagen.files.atomic import TEMP_PREFIX
from tests.processes import ROOT, generate_command, run_generate

#: A checkpoint written mid-run must show up within this many seconds.
_PATIENCE = 30.0


def _default_sigint() -> None:
    # A shell's background job starts with SIGINT ignored; a user's Ctrl-C is not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(cwd: Path, *argv: object) -> subprocess.Popen[str]:
    """`python generate.py argv...` running in cwd."""
    return subprocess.Popen(
        generate_command(*argv),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def saved(folder: Path) -> dict[str, Any]:
    """The checkpoint in folder."""
    checkpoint: dict[str, Any] = json.loads((folder / "checkpoint.json").read_text())
    return checkpoint


def stop_mid_run(
    process: subprocess.Popen[str], folder: Path, signum: int
) -> tuple[dict[str, Any], str]:
    """Send signum once the checkpoint in folder holds some events (and the
    run is still going); (the checkpoint then, the run's stderr)."""
    deadline = time.monotonic() + _PATIENCE
    while True:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no checkpoint with events in time"
        try:
            if saved(folder)["events"] > 0:
                break
        except (OSError, ValueError):
            pass  # not written yet
        time.sleep(0.01)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return saved(folder), stderr


def run(cwd: Path, *argv: object) -> subprocess.CompletedProcess[str]:
    """`python generate.py argv...` in cwd, to its end."""
    return run_generate(*argv, cwd=cwd)


def ok(cwd: Path, *argv: object) -> str:
    """Run to the end, which must succeed; its stderr."""
    done = run(cwd, *argv)
    assert done.returncode == 0, done.stderr
    return done.stderr


def temp_files(folder: Path) -> list[Path]:
    """Temp files (kept ones too) in folder and below."""
    return sorted(folder.rglob(f"{TEMP_PREFIX}*"))
