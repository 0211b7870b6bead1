"""Signals in worker processes: they leave Ctrl-C, SIGTERM and SIGHUP to the
parent, which stops the run, and die with it.

A forked worker starts with its parent's Python handlers, which would raise
in it and print a traceback; so the stop signals are held back (blocked)
from the fork until the worker's own handlers are set.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from datagen.errors import DatagenError

#: The signals that stop a run.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed (SIGKILL, so nothing is printed) when the
    parent process dies, however it dies; exit at once if it already has."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the checks below remain
            pass
    if os.getppid() != parent:
        os._exit(0)


def leave_signals_to_parent(parent: int, stopping: Any = None) -> None:
    """A worker's signals: Ctrl-C and SIGHUP reach the whole process group but
    are the parent's to handle, so they are ignored here. SIGTERM ends the
    worker silently (no Python handler, no traceback). A worker given
    `stopping`, a shared flag, ends on SIGTERM only once its parent set the
    flag: a SIGTERM to the whole group is the parent's to handle (it stops the
    run, reports, then ends its workers), not a worker gone missing half-way.
    Signals held back since the fork (signals_held) are then let in."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if stopping is None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    else:

        def on_term(_signum: int, _frame: Any) -> None:
            if stopping.value:
                os._exit(0)

        signal.signal(signal.SIGTERM, on_term)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    die_with_parent(parent)


@contextmanager
def signals_held() -> Iterator[None]:
    """Block STOP_SIGNALS in this thread while workers are forked (threads
    started meanwhile keep them blocked too); a worker unblocks them once its
    handlers are its own, and one that arrived meanwhile is handled then. The
    parent gets its pending signals when this ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class WorkerDied(DatagenError):
    """A worker process ended without sending what it owed its parent."""


def worker_died(w: int, exitcode: int | None) -> WorkerDied:
    """The one-line error for worker w (from 0) gone with exitcode."""
    if exitcode is not None and exitcode < 0:
        how = f"killed by {signal.Signals(-exitcode).name}"
    else:
        how = f"exit code {exitcode}"
    return WorkerDied(f"worker process {w + 1} ended without its results ({how})")
