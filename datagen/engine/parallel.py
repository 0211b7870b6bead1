"""--workers N: actors split across forked processes, their streams merged by key.

Worker w runs actors w, w+N, w+2N, ... through the same runner as one process
would, encodes each event as a JSON line, and sends chunks of (keys, lines) to
the parent. Keys are (time, actor index, sequence), the runner's own order, so
the parent's merge yields the bytes one process would: whatever N is.

Workers leave signals to the parent (Ctrl-C, SIGTERM and SIGHUP stop the run
there, which stops them) and die with it: the kernel kills a worker whose
parent is gone (Linux), so none is left blocked, printing nothing. Each worker
sends down a pipe whose write end only it holds, so one that dies (kill -9,
the OOM killer) is an end of file to the parent, not a wait for good.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

from datagen.encoders import dumps_line
from datagen.engine.actors import Actor
from datagen.engine.batches import Batch
from datagen.engine.model import Behaviour, Window
from datagen.engine.runner import ArrivingActors, run_actors
from datagen.engine.worker_pipes import Pipes, open_pipes, parent_ends, worker_end
from datagen.engine.worker_signals import (
    leave_signals_to_parent,
    signals_held,
    worker_died,
)
from datagen.errors import ConfigError, DatagenError, ProviderError, model_failure

#: Events per chunk a worker sends: large enough to amortise pickling.
CHUNK = 4096
#: How long an early-stopped run waits for its workers' profiles.
DRAIN_SECONDS = 10.0

Key = tuple[float, int, int]
ProfilesCallback = Callable[[dict[int, dict[str, Any]]], None]


def parallel_batches(
    model: Behaviour,
    actors: Sequence[Actor],
    window: Window,
    workers: int,
    on_profiles: ProfilesCallback | None = None,
    chunk: int = CHUNK,
    arrive: Callable[[int], Actor] | None = None,
) -> Iterator[Batch]:
    """The merged stream of actors, run in `workers` forked processes.

    With the window's arrivals, `arrive(index)` makes an arriving actor; the
    worker whose turn it is (index % workers) runs it.

    on_profiles, when given, receives each worker's actors' profiles (by actor
    index) once it is done, so additions made in workers reach the parent.
    Closing the iterator early (a --count, Ctrl-C) stops the workers; with
    on_profiles they are first asked to stop and send their profiles.
    """
    context = multiprocessing.get_context("fork")
    pipes = open_pipes(context, workers)
    stop = context.Event()
    stopping = context.RawValue("b", 0)  # no lock: read in a signal handler
    parent = os.getpid()
    processes = [
        context.Process(
            target=_work,
            args=(model, actors[w::workers], window, (w, pipes), chunk, on_profiles),
            kwargs={
                "stop": stop,
                "parent": parent,
                "stopping": stopping,
                "arriving": _arriving(window, arrive, workers, w),
            },
            daemon=True,
        )
        for w in range(workers)
    ]
    with signals_held():
        for process in processes:
            process.start()
    receivers = parent_ends(pipes)
    done = [False] * workers
    try:
        yield from _merge(receivers, on_profiles, done, processes)
    finally:
        stop.set()
        stopping.value = 1  # from now on SIGTERM ends a worker
        try:
            if on_profiles is not None:
                _drain(receivers, done, on_profiles, processes)
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting for profiles
            pass
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join()
        for receiver in receivers:
            receiver.close()


def _work(
    model: Behaviour,
    actors: Sequence[Actor],
    window: Window,
    pipe: tuple[int, Pipes],
    chunk: int,
    on_profiles: ProfilesCallback | None,
    stop: Any = None,
    parent: int | None = None,
    arriving: ArrivingActors | None = None,
    stopping: Any = None,
) -> None:
    """A worker: its actors' merged stream, sent as chunks of keys and lines,
    until the stream ends or the parent sets `stop`. `pipe` is (w, every
    worker's pipe): worker w keeps only its own write end."""
    leave_signals_to_parent(os.getppid() if parent is None else parent, stopping)
    w, pipes = pipe
    sender = worker_end(pipes, w)
    try:
        # Keys travel as three packed arrays and lines as one bytes object:
        # pickling them is a copy, not a walk over millions of small objects.
        times, indexes, sequences = array("d"), array("q"), array("q")
        lines: list[bytes] = []
        stream = run_actors(model, actors, window, arriving)
        for moment, index, sequence, event in stream:
            times.append(moment)
            indexes.append(index)
            sequences.append(sequence)
            lines.append(dumps_line(event))
            if len(lines) >= chunk:
                sender.send(("chunk", times, indexes, sequences, b"".join(lines)))
                times, indexes, sequences = array("d"), array("q"), array("q")
                lines = []
                if stop is not None and stop.is_set():
                    break
        if lines:
            sender.send(("chunk", times, indexes, sequences, b"".join(lines)))
        if on_profiles is not None:
            sender.send(("profiles", {a.index: dict(a.profile) for a in actors}))
        sender.send(("end",))
    except BaseException as exc:  # reported to the parent, which raises it
        kind = "config" if isinstance(exc, ConfigError) else "provider"
        message = (
            str(exc)
            if isinstance(exc, DatagenError)
            else model_failure(getattr(model, "name", type(model).__name__), exc)
        )
        try:
            sender.send(("error", kind, message))
        except OSError:  # the parent has stopped reading
            pass
    sender.close()


def _arriving(
    window: Window, arrive: Callable[[int], Actor] | None, workers: int, w: int
) -> ArrivingActors | None:
    """Worker w's share of the window's arrivals, if it has any."""
    if window.arrivals is None or arrive is None:
        return None
    return ArrivingActors(window, arrive, workers, w)


def _drain(
    receivers: list[Connection],
    done: list[bool],
    on_profiles: ProfilesCallback,
    processes: Sequence[Any] = (),
) -> None:
    """After an early stop: read what stopped workers still send, keeping their
    profiles, for up to DRAIN_SECONDS in all (a worker that is gone, killed by
    a signal, sends nothing more)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    for w, receiver in enumerate(receivers):
        while not done[w]:
            wait = min(max(deadline - time.monotonic(), 0.01), 0.2)
            try:
                message = receiver.recv() if receiver.poll(wait) else None
            except (EOFError, OSError):  # gone, perhaps half-way through one
                break
            if message is None:
                if time.monotonic() >= deadline:
                    break
                continue
            if message[0] == "profiles":
                on_profiles(message[1])
            elif message[0] in ("end", "error"):
                done[w] = True


def _merge(
    receivers: list[Connection],
    on_profiles: ProfilesCallback | None,
    done: list[bool],
    processes: Sequence[Any],
) -> Iterator[Batch]:
    """Merge the workers' chunks by key, up to the smallest key every worker
    still sending has reached: what no later chunk can come before."""
    count = len(receivers)
    keys: list[list[Key]] = [[] for _ in range(count)]
    lines: list[list[bytes]] = [[] for _ in range(count)]
    position = [0] * count

    def refill(w: int) -> None:
        while True:
            try:
                message = receivers[w].recv()
            except (EOFError, OSError):  # OSError: it died half-way through one
                processes[w].join()
                raise worker_died(w, processes[w].exitcode) from None
            kind = message[0]
            if kind == "chunk":
                _, times, indexes, sequences, data = message
                keys[w] = list(zip(times, indexes, sequences))
                # one JSON line per event; orjson escapes every \n and \r
                lines[w], position[w] = data.splitlines(True), 0
                return
            if kind == "end":
                keys[w], lines[w], position[w], done[w] = [], [], 0, True
                return
            if kind == "profiles":
                if on_profiles is not None:
                    on_profiles(message[1])
                continue
            done[w] = True
            error = ConfigError if message[1] == "config" else ProviderError
            raise error(message[2])

    while True:
        for w in range(count):
            if not done[w] and position[w] >= len(keys[w]):
                refill(w)
        pending = [w for w in range(count) if position[w] < len(keys[w])]
        if not pending:
            return
        sending = [keys[w][-1] for w in pending if not done[w]]
        horizon = min(sending) if sending else None
        part_keys: list[list[Key]] = []
        part_lines: list[list[bytes]] = []
        for w in pending:
            start = position[w]
            stop = (
                len(keys[w])
                if horizon is None
                else bisect_right(keys[w], horizon, start)
            )
            if stop > start:
                part_keys.append(keys[w][start:stop])
                part_lines.append(lines[w][start:stop])
                position[w] = stop
        yield _combine(part_keys, part_lines)


def _combine(part_keys: list[list[Key]], part_lines: list[list[bytes]]) -> Batch:
    """Sorted runs of keyed lines as one batch in key order (Timsort merges runs)."""
    if len(part_keys) == 1:
        keys = part_keys[0]
        return Batch(None, part_lines[0], keys[-1][0], times=[k[0] for k in keys])
    all_keys = [key for part in part_keys for key in part]
    all_lines = [line for part in part_lines for line in part]
    order = sorted(range(len(all_keys)), key=all_keys.__getitem__)
    return Batch(
        None,
        [all_lines[i] for i in order],
        all_keys[order[-1]][0],
        times=[all_keys[i][0] for i in order],
    )
