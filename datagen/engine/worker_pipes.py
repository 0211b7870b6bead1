"""One pipe per worker process, each write end held by its worker alone, so
a worker that dies (kill -9, the OOM killer), even half-way through a message,
is an end of file to the parent rather than a wait for good."""

from __future__ import annotations

from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

Pipes = Sequence[tuple[Connection, Connection]]


def open_pipes(context: Any, count: int) -> list[tuple[Connection, Connection]]:
    """count one-way (receiver, sender) pipes, made before the workers fork."""
    return [context.Pipe(duplex=False) for _ in range(count)]


def parent_ends(pipes: Pipes) -> list[Connection]:
    """In the parent, once the workers are started: close every write end
    (the workers' alone now) and return the read ends."""
    for _, sender in pipes:
        sender.close()
    return [receiver for receiver, _ in pipes]


def worker_end(pipes: Pipes, w: int) -> Connection:
    """In worker w: close every end but its own write end (a copy left open
    would hide another worker's death) and return that one."""
    own = pipes[w][1]
    for receiver, sender in pipes:
        receiver.close()
        if sender is not own:
            sender.close()
    return own
