"""The process that evaluates a template: a forked child that runs batches
with the Go Jsonnet engine (`gojsonnet`) and is replaced after a bounded
amount of work.

Why a child process:
- the engine's Python binding never frees what a native callback returns
  (~200 bytes a call, ~800 for an object of 40 keys): a child replaced
  after RETIRE_UNITS of them keeps a day-long run's memory flat;
- the engine is a Go runtime with threads of its own, which a fork does not
  copy: only a process that will never fork loads it, so the run's own
  processes (which fork workers) never import `_gojsonnet`.

The child holds nothing between batches that decides output: each request
carries the RNG state to start from and each reply the state reached, so a
replacement continues the stream exactly (same seed, same bytes).
"""

from __future__ import annotations

import gc
import os
import signal
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from typing import Any

from datagen.declarative.jsonnet.imports import importer_of
from datagen.declarative.jsonnet.natives import Call, Natives
from datagen.declarative.jsonnet.program import Failure, Program, read_failure
from datagen.errors import ProviderError

#: Native calls (and keys of returned objects) a child makes before it is
#: replaced: at most ~100 MB the binding keeps, ~10,000 documents of
#: Eventer's template.
RETIRE_UNITS = 500_000
#: A child whose resident memory grew this much since its first batch is
#: replaced too (a template returning large objects).
RETIRE_GROWTH = 256 * 2**20
#: The engine's stack limit (its default): deep recursion is an error, not a crash.
MAX_STACK = 500
#: The longest a batch may take (Eventer's template: ~0.25 s for 1,000
#: documents): a template that never ends is stopped and named, not waited for.
BATCH_SECONDS = 120.0


@dataclass(frozen=True)
class Reply:
    """A batch: the JSON text of its documents (an array) and the RNG state
    reached, or the failure that stopped it; with natives recording, the
    batch's native calls in call order."""

    text: str | None
    state: Any
    failure: Failure | None = None
    calls: list[Call] | None = None


class Evaluator:
    """Evaluates one template's batches in a child process (forked on first use)."""

    def __init__(self, program: Program, natives: Natives) -> None:
        self.program = program
        self.natives = natives
        self._child: _Child | None = None
        #: Children started so far (tests and measurements read it).
        self.started = 0

    def evaluate(self, count: int, state: Any) -> Reply:
        """count documents from RNG state; ProviderError when the child dies."""
        child = self._child
        if child is None:
            child = self._child = _Child(self.program, self.natives)
            self.started += 1
        try:
            reply, retiring = child.ask(count, state)
        except BaseException:
            self._child = None
            child.stop()
            raise
        if retiring:
            self._child = None
            child.stop()
        return reply

    def child_pid(self) -> int | None:
        """The running child's process id (None between children)."""
        return self._child.pid if self._child is not None else None

    def close(self) -> None:
        """Stop the child (a closed pipe ends it)."""
        child, self._child = self._child, None
        if child is not None:
            child.stop()


class _Child:
    """One evaluating process and its end of the pipe."""

    def __init__(self, program: Program, natives: Natives) -> None:
        parent_end, child_end = Pipe(duplex=True)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's code, ended by os._exit
            code = 1
            try:
                _child_main(child_end, program, natives)
                code = 0
            except BaseException as exc:  # a bug here: said on stderr, as one line
                _say(f"datagen: Jsonnet evaluator: {type(exc).__name__}: {exc}")
            finally:
                os._exit(code)
        child_end.close()
        self.pid = pid
        self.conn = parent_end
        self._finalizer = weakref.finalize(self, _stop, parent_end, pid)

    def ask(self, count: int, state: Any) -> tuple[Reply, bool]:
        try:
            self.conn.send((count, state))
            if not self.conn.poll(BATCH_SECONDS):
                self.stop()
                raise ProviderError(
                    f"the template took longer than {BATCH_SECONDS:g} s to make "
                    f"{count:,} document{'s' if count != 1 else ''} and was stopped "
                    "(a loop that never ends, or a very large std.range?)"
                )
            reply, retiring = self.conn.recv()
        except (EOFError, OSError):
            status = _reap(self.pid, wait=True)
            raise ProviderError(
                f"the Jsonnet evaluator process ended without its result ({status})"
            ) from None
        return reply, retiring

    def stop(self) -> None:
        self._finalizer()


def _stop(conn: Connection, pid: int) -> None:
    """Close the pipe (the child ends on its end of file) and collect the child."""
    conn.close()
    if _reap(pid, wait=False) is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _reap(pid, wait=True)


def _reap(pid: int, wait: bool) -> str | None:
    """The child's end as words once it has ended; None while it runs."""
    try:
        done, status = os.waitpid(pid, 0 if wait else os.WNOHANG)
    except ChildProcessError:
        return "already collected"
    if not done:
        return None
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _child_main(conn: Connection, program: Program, natives: Natives) -> None:
    """Serve batches until the parent closes the pipe or the work bound is reached."""
    _detach(conn.fileno())
    import _gojsonnet  # only here: see the module's docstring

    callbacks = natives.callbacks()
    refused: list[str] = []
    importer = importer_of(program, refused)
    baseline: int | None = None
    while True:
        try:
            count, state = conn.recv()
        except EOFError:
            return
        natives.rng.setstate(state)
        natives.last_error = None
        refused.clear()
        if natives.calls is not None:
            natives.calls.clear()
        try:
            text = _gojsonnet.evaluate_snippet(
                program.name,
                program.batch(count),
                native_callbacks=callbacks,
                import_callback=importer,
                max_stack=MAX_STACK,
            )
            calls = None if natives.calls is None else list(natives.calls)
            reply = Reply(text, natives.rng.getstate(), calls=calls)
        except (RuntimeError, UnicodeDecodeError, ValueError) as exc:
            # ValueError: a NUL in an imported file (the engine takes C strings)
            failure = read_failure(
                program, str(exc), natives.last_error, refused[-1] if refused else None
            )
            reply = Reply(None, None, failure)
        rss = _resident()
        baseline = rss if baseline is None else baseline
        retiring = natives.units >= RETIRE_UNITS or rss - baseline > RETIRE_GROWTH
        try:
            conn.send((reply, retiring))
        except OSError:
            return
        if retiring:
            return


#: Where the child's own one-line messages go: the run's stderr, kept
#: aside by _detach when fd 2 is pointed away from it.
_stderr = 2


def _say(line: str) -> None:
    try:
        os.write(_stderr, (" ".join(line.split()) + "\n").encode(errors="replace"))
    except OSError:
        pass


def _detach(keep: int) -> None:
    """Make the forked child independent of the run: its own signals, no
    inherited pipes (a worker's result pipe held open here would hide that
    worker's death), stdout to /dev/null (it may be the run's output), and
    stderr too: a failing Go runtime prints pages of goroutine stacks there,
    where the run promises one line (the parent's names the exit)."""
    global _stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    gc.freeze()  # never finalize the parent's objects (their fds are closed below)
    os.closerange(3, keep)
    os.closerange(keep + 1, max(65536, os.sysconf("SC_OPEN_MAX")))
    _stderr = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def _resident() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
