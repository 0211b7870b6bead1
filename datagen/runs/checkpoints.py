"""--checkpoint and --resume: a long run saved as it goes, continued exactly
after a crash, a kill or Ctrl-C.

A checkpoint (DIR/checkpoint.json, see checkpoint_file) holds the run's
fingerprint (the options that decide its output), how many events were
delivered, each sink's counts and, for each file, its kept temp file and
length (see checkpoint_sinks). It is saved after a whole batch, once
`every` events or `seconds` seconds have passed since the last, when the
run stops early, and when it ends.

A resumed run starts where the checkpoint stands: a document or journey run
at the next block (a block's seed depends only on the run's seed and its
index, so nothing before it is made again); a simulation, whose actors are
generators that cannot be saved, makes its stream again and skips the
events already delivered without encoding or writing them.
"""

from __future__ import annotations

import contextlib
import os
import time
import weakref
from collections.abc import Generator, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from datagen.engine.batches import Batch
from datagen.errors import ConfigError, DatagenError
from datagen.files.paths import prepare_output_folder
from datagen.runs.blocks import Block, Blocks
from datagen.runs.checkpoint_file import (
    FILE,
    LOCK,
    FolderLock,
    differences,
    read_saved,
    write_saved,
)
from datagen.runs.checkpoint_sources import BlocksFrom, skip_events
from datagen.runs.checkpoint_sinks import (
    delivered,
    counts,
    prepare,
    records,
    refuse_unresumable,
    restore,
    suspend,
    temp_files,
)
from datagen.runs.loop import Stopwatch
from datagen.sinks.base import BaseSink, Delivery

#: Saved at least every this many events, and every this many seconds (a
#: save syncs every file to disk: on a busy disk an fsync took 0.1-0.2 s).
DEFAULT_EVERY = 1_000_000
DEFAULT_SECONDS = 30.0


class Checkpoint:
    """One run's checkpoint folder, locked while the run lasts; the
    RunCheckpoint that run_loop saves as it goes (datagen.runs.loop).
    `saved`: the checkpoint a resumed run continues (None: a new run)."""

    def __init__(
        self,
        folder: Path,
        fingerprint: dict[str, Any],
        saved: dict[str, Any] | None,
        every: int = DEFAULT_EVERY,
        seconds: float = DEFAULT_SECONDS,
        finished: bool = False,
        lock: FolderLock | None = None,
    ) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.every, self.seconds = every, seconds
        self._saved = saved
        self.start = 0 if saved is None else int(saved["events"])
        self.earlier_seconds = 0.0 if saved is None else float(saved["seconds"])
        self.finished = finished
        self.cut = 0
        #: Events the folder's checkpoint holds now.
        self.saved_events = self.start
        self._block_size = None if saved is None else saved.get("block_size")
        self._watch = Stopwatch()
        self._saved_at = time.monotonic()
        self._begun = False
        self._records: list[dict[str, Any]] = []
        self._state = "new"
        #: The folder's lock, held until the run ends.
        self.lock = lock
        #: The folder did not exist before this run (open_checkpoint made it).
        self.made_folder = False

    def release(self) -> None:
        """The run is over: another may take the folder."""
        if self.lock is not None:
            self.lock.release()

    def unmake(self) -> None:
        """A run refused before it began leaves no checkpoint: the lock file
        goes, and the folder too when this run made it (and it is empty)."""
        if self._saved is not None or (self.folder / FILE).exists():
            return
        (self.folder / LOCK).unlink(missing_ok=True)
        self.release()
        if self.made_folder:
            with contextlib.suppress(OSError):
                self.folder.rmdir()

    @property
    def begun(self) -> bool:
        """The run has begun saving here."""
        return self._begun

    @property
    def resuming(self) -> bool:
        return self._saved is not None

    def target(self) -> str:
        """Where the checkpointed run wrote, as its summary named them."""
        saved = self._saved or {}
        return ", ".join(str(record.get("sink")) for record in saved.get("sinks", ()))

    # The source, from where the checkpoint stands.

    def blocks(self, blocks: Blocks) -> Sequence[Block]:
        """A document or journey run's blocks from the checkpoint's on (a
        lazy view); ConfigError when the checkpoint's blocks were of another
        size (another datagen, or another engine)."""
        if self._block_size is not None and self._block_size != blocks.size:
            raise ConfigError(
                f"--resume {self.folder}: the checkpoint's blocks are of "
                f"{self._block_size:,}, this run's of {blocks.size:,}"
            )
        self._block_size = blocks.size
        if self.start == 0:
            return blocks
        self.cut = min(self.start, max(blocks.total, 0))
        return BlocksFrom(blocks, -(-self.cut // blocks.size))

    def skip(self, source: Iterator[Batch]) -> Generator[Batch, None, None]:
        """A stream made again from its start, without the events the
        checkpoint has (see skip_events)."""
        return skip_events(source, self.start)

    # What run_loop calls (RunCheckpoint).

    def begin(self, sinks: Sequence[BaseSink], checked: bool) -> None:
        try:
            if checked:
                raise ConfigError(
                    "--checkpoint: faults, --truth and --manifest keep a state a "
                    "checkpoint does not save, so the run could not go on exactly: "
                    "drop them or --checkpoint"
                )
            refuse_unresumable(sinks, "--checkpoint")
        except ConfigError:
            self.unmake()
            raise
        if self._saved is not None:
            restore(sinks, self._saved["sinks"], self.folder, "--resume")
        else:
            prepare(sinks, self.folder)
        self._begun = True
        self._save(self.start, sinks, "running")

    def after_batch(self, done: int, sinks: Sequence[BaseSink]) -> None:
        due = done - self.saved_events >= self.every
        if due or time.monotonic() - self._saved_at >= self.seconds:
            self._save(done, sinks, "running")

    def stop(self, done: int, sinks: Sequence[BaseSink]) -> None:
        try:
            if self._begun:
                self._save(done, sinks, "stopped")
        except (DatagenError, OSError):
            pass  # a sink that cannot flush: the last checkpoint stands
        finally:
            self.keep(sinks)

    def keep(self, sinks: Sequence[BaseSink]) -> None:
        suspend(sinks)
        try:
            if self._state == "closing":  # closing failed: the run is not done
                self._write(self.saved_events, "running", self._records)
        except (DatagenError, OSError):
            pass  # the run's own error is the one to report
        finally:
            self.release()

    def closing(self, done: int, sinks: Sequence[BaseSink]) -> None:
        """Marked only (the sinks' own close syncs them): a run that dies
        while its files are renamed into place is then known to be done
        when every temp file is gone (see open_checkpoint)."""
        if self._begun:
            self._write(self.saved_events, "closing", self._records)

    def finish(self, done: int, deliveries: Sequence[Delivery]) -> None:
        if not self._begun:
            return
        sinks = [
            {"sink": delivery.sink, "delivery": counts(delivery)}
            for delivery in deliveries
        ]
        self._write(done, "finished", sinks)
        self.release()

    def _save(self, done: int, sinks: Sequence[BaseSink], state: str) -> None:
        """Save the run at `done` events if every sink has them."""
        found = records(sinks)
        if delivered(sinks):
            self._write(done, state, found)
            self._records = found

    def _write(self, done: int, state: str, sinks: list[dict[str, Any]]) -> None:
        self._state = state
        write_saved(
            self.folder,
            {
                "state": state,
                "fingerprint": self.fingerprint,
                "events": done,
                "block_size": self._block_size,
                "seconds": round(self.earlier_seconds + self._watch.elapsed(), 3),
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "pid": os.getpid(),
                "sinks": sinks,
            },
        )
        self.saved_events, self._saved_at = done, time.monotonic()


#: Checkpoints this process opened (weakly held), for unmake_unbegun.
_opened: weakref.WeakSet[Checkpoint] = weakref.WeakSet()


def unmake_unbegun() -> None:
    """Bad input stopped the command before its run began (an option checked
    after the checkpoint was opened): leave no checkpoint folder it made."""
    for checkpoint in list(_opened):
        if not checkpoint.begun:
            checkpoint.unmake()


def open_checkpoint(
    folder: Path,
    fingerprint: dict[str, Any],
    resume: bool,
    every: int = DEFAULT_EVERY,
    seconds: float = DEFAULT_SECONDS,
    drawn: Sequence[str] = (),
) -> Checkpoint:
    """The checkpoint of a run in folder, locked for this process: a new one
    (resume False; ConfigError when the folder holds an unfinished run), or
    the one to go on from (ConfigError when there is none, it is not one, or
    its fingerprint differs from this run's: named). A finished run's comes
    back with .finished set. `drawn`: fingerprint entries this run drew
    (a seed not given): a resumed run takes the checkpoint's."""
    option = "--resume" if resume else "--checkpoint"
    if resume and not (folder / FILE).is_file():  # a mistyped DIR is not made
        raise ConfigError(f"--resume {folder}: no checkpoint there (no {FILE})")
    existed = folder.exists()
    prepare_output_folder(folder, f"{option} folder")
    lock = FolderLock(folder, option)
    try:
        checkpoint = _open(folder, fingerprint, resume, every, seconds, drawn, lock)
        checkpoint.made_folder = not existed
        _opened.add(checkpoint)
        return checkpoint
    except BaseException:
        lock.release()
        raise


def _open(
    folder: Path,
    fingerprint: dict[str, Any],
    resume: bool,
    every: int,
    seconds: float,
    drawn: Sequence[str],
    lock: FolderLock,
) -> Checkpoint:
    """open_checkpoint() once the folder is locked."""
    option = "--resume" if resume else "--checkpoint"
    fingerprint = orjson.loads(orjson.dumps(fingerprint, default=str))
    saved = read_saved(folder, option)
    finished = False
    if not resume:
        if saved is not None and saved["state"] != "finished":
            names = " and ".join(str(path) for path in temp_files(saved))
            also = f" and {names}" if names else ""
            raise ConfigError(
                f"--checkpoint {folder} holds an unfinished run "
                f"({saved['events']:,} events): continue it with --resume "
                f"{folder}, or delete {folder}{also} to start again"
            )
        saved = None
    elif saved is None:
        raise ConfigError(f"--resume {folder}: no checkpoint there (no {FILE})")
    else:
        for name in drawn:
            fingerprint[name] = saved["fingerprint"].get(name, fingerprint[name])
        found = differences(saved["fingerprint"], fingerprint)
        if found:
            raise ConfigError(
                f"--resume {folder}: not the checkpoint's run: {'; '.join(found)}"
            )
        finished = saved["state"] == "finished" or _closed(saved, folder)
    return Checkpoint(folder, fingerprint, saved, every, seconds, finished, lock)


def _closed(saved: dict[str, Any], folder: Path) -> bool:
    """True when a run stopped while closing its sinks had renamed every
    file into place (its temp files are gone); ConfigError when only some."""
    if saved["state"] != "closing":
        return False
    temps = temp_files(saved)
    gone = [temp for temp in temps if not temp.exists()]
    if gone and len(gone) < len(temps):
        raise ConfigError(
            f"--resume {folder}: the run stopped while renaming its files into "
            f"place: {gone[0]} is gone but not every other: delete {folder} "
            "and run again"
        )
    return bool(temps) and len(gone) == len(temps)
