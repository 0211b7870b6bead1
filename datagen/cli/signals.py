"""SIGTERM and SIGHUP end a CLI run the way Ctrl-C does.

A service manager's stop, `kill`, `timeout` or a closed terminal used to kill
the process where it stood: no summary, temporary files left, worker processes
orphaned. With these handlers they raise Terminated, a KeyboardInterrupt that
remembers its signal: the run loop holds it during a write like Ctrl-C, stops,
closes the sinks and reports, and the process exits 128 + the signal's number
(143 for SIGTERM, 129 for SIGHUP, 130 for Ctrl-C).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: Signals that stop a run like Ctrl-C.
STOPPING = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled as Ctrl-C is, with its number for the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated while the block runs (in the main
    thread only). A signal the process was started ignoring (`nohup`) stays
    ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in STOPPING:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def exit_code(signum: int) -> int:
    """The shell's convention: 128 + the signal's number."""
    return 128 + int(signum)
