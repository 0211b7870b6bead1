"""The faults a run wrote: counts by kind per stream, and the faults manifest file.

`--faults-manifest FILE` is JSON lines, one per faulted record in output
order, each stream's lines together:
`{"index": N, "fault": KIND, "stream": NAME, "key": ..., "field": ..., "original": ...}`
(drift and malformed lines add `"change"`). Each stream's lines wait in a
temporary spool until the run ends, so an interrupted run drops those of
records it never wrote; the file is then written atomically.
"""

from __future__ import annotations

import shutil
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from datagen.faults.spec import FAULT_KINDS
from datagen.files.atomic import AtomicFile, naming

_KIND_CODES = {kind: code for code, kind in enumerate(FAULT_KINDS)}


class FaultLog:
    """One stream's faults, added as their records are written (in output
    order): counts by kind, and the manifest's lines when `keep` says so."""

    def __init__(self, stream: str, keep: bool = False) -> None:
        self.stream = stream
        self._indexes = array("q")
        self._kinds = array("b")
        self._offsets = array("q")
        self._spool: IO[bytes] | None = tempfile.TemporaryFile() if keep else None
        self._counts = [0] * len(FAULT_KINDS)

    def add(self, entries: Iterable[dict[str, Any]]) -> None:
        """Entries of written records, in output order (after any added before)."""
        spool = self._spool
        for entry in entries:
            code = _KIND_CODES[entry["fault"]]
            self._indexes.append(entry["index"])
            self._kinds.append(code)
            self._counts[code] += 1
            if spool is not None:
                self._offsets.append(spool.tell())
                spool.write(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE))

    def settle(self, written: int) -> None:
        """Drop the faults of records at or past `written` (an interrupted
        run, or a sink that confirmed fewer)."""
        cut = bisect_left(self._indexes, written)
        if cut == len(self._indexes):
            return
        for code in self._kinds[cut:]:
            self._counts[code] -= 1
        if self._spool is not None:
            self._spool.truncate(self._offsets[cut])
            self._spool.seek(0, 2)
            del self._offsets[cut:]
        del self._indexes[cut:]
        del self._kinds[cut:]

    @property
    def counts(self) -> dict[str, int]:
        """Faulted records by kind, the kinds with any, in FAULT_KINDS order."""
        return {kind: n for kind, n in zip(FAULT_KINDS, self._counts) if n}

    @property
    def total(self) -> int:
        return sum(self._counts)

    def copy_to(self, handle: IO[bytes]) -> None:
        """The manifest's lines of this stream, into handle."""
        if self._spool is not None:
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, handle)
            self._spool.seek(0, 2)

    def close(self) -> None:
        """Remove the spool."""
        if self._spool is not None:
            self._spool.close()


class FaultsManifest:
    """--faults-manifest FILE: a FaultLog per stream (log()), every line
    written atomically by write() (an empty file for a run without faults)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.logs: list[FaultLog] = []

    def log(self, stream: str) -> FaultLog:
        """A new log for stream, keeping its lines when there is a file."""
        log = FaultLog(stream, keep=self.path is not None)
        self.logs.append(log)
        return log

    def write(self) -> Path | None:
        """Write the file (when there is one); returns its path. OutputError
        naming it when it cannot be written."""
        if self.path is None:
            return None
        target = AtomicFile(self.path)
        try:
            with naming(self.path):
                for log in self.logs:
                    log.copy_to(target.handle)
            target.commit()
        except BaseException:
            target.discard()
            raise
        return self.path

    def close(self) -> None:
        for log in self.logs:
            log.close()
