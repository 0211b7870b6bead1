"""Interruptions of a run: Ctrl-C (and SIGTERM/SIGHUP where the CLI handles
them) held while a batch is written, and a second one that stops at once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from datagen.engine.worker_signals import STOP_SIGNALS

#: Signals held during a write when something handles them in Python.


class StopNow(KeyboardInterrupt):
    """A second interruption: stop waiting for anything, at once."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Interrupts:
    """The interruptions of one run: the first is held until the current
    write ends (a write is done and counted, or not started); a second, even
    inside a write that waits for a server that does not answer, raises
    StopNow at once."""

    def __init__(self) -> None:
        self.first: int | None = None

    def note(self, stop: BaseException) -> None:
        """Remember an interruption raised outside a held block."""
        if self.first is None:
            self.first = getattr(stop, "signum", signal.SIGINT)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the first interruption until the block ends, then raise it
        (through the handler it was meant for, so it carries its signal)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        received: list[int] = []
        previous: dict[int, Any] = {}

        def hold(signum: int, _frame: FrameType | None) -> None:
            if self.first is not None:
                raise StopNow(signum)
            self.first = signum
            received.append(signum)

        number: int
        for number in STOP_SIGNALS:
            if callable(signal.getsignal(number)):  # SIG_DFL, SIG_IGN stay
                previous[int(number)] = signal.signal(number, hold)
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        if received:
            _raise_for(received[0], previous[received[0]])


def _raise_for(signum: int, handler: Callable[[int, Any], Any]) -> None:
    """Run the handler a held signal was meant for (Ctrl-C's raises
    KeyboardInterrupt); one that does not raise still stops the run."""
    handler(signum, None)
    raise KeyboardInterrupt
