"""The stdout sink: JSON lines (or CSV, or one JSON array) on standard output,
for pipes; the same on a device or named pipe given as -o (/dev/null, a FIFO)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from datagen.encoders import Encoder, JsonLinesEncoder
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.files import Framing, JsonArrayEncoder
from datagen.sinks.spec import register_sink

#: Paths that name this process's standard output.
STDOUT_PATHS = ("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


def silence_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so Python's own
    flush at exit does not report the broken pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's)
        pass


def whole_records(encoder: Encoder, data: bytes, written: int) -> int:
    """How many records of data (encoded by encoder, one a line) the first
    `written` bytes hold whole. A JSON array's event starts with its line
    break, so the last one begun is whole only when all of data went."""
    ends = data.count(b"\n", 0, written)
    if isinstance(encoder, JsonArrayEncoder):
        return ends if written >= len(data) else max(ends - 1, 0)
    return ends


@register_sink
class StdoutSink(BaseSink):
    """Events on stdout (JSON lines unless given another encoder) or on a
    stream; a closed pipe (`| head`) ends the run quietly."""

    name = "stdout"
    schemes = ("stdout",)

    @classmethod
    def from_url(cls, url: str) -> StdoutSink:
        return cls()

    @classmethod
    def open_path(cls, path: Path, encoder: Encoder | None = None) -> StdoutSink:
        """The sink for -o naming a device or a pipe rather than a file
        (/dev/null, /dev/stdout, a named pipe): written as it comes, never
        under a temp name, and closed with the run."""
        if str(path) in STDOUT_PATHS:
            return cls(encoder=encoder)
        sink = cls(open(path, "wb"), encoder, label=str(path))
        sink._owned = True
        return sink

    def __init__(
        self,
        stream: BinaryIO | None = None,
        encoder: Encoder | None = None,
        label: str = "stdout",
    ) -> None:
        self.label = label
        super().__init__()
        self.stream = stream if stream is not None else sys.stdout.buffer
        self._format = encoder if encoder is not None else JsonLinesEncoder()
        self.encoder = self._format
        self._framing = Framing(self._format)
        self._owned = False
        self._closed = False

    def describe(self) -> str:
        return self.label

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self.write_encoded(self._format.encode_many(events), len(events))

    def write_encoded(self, data: bytes, count: int) -> None:
        """Write count events already encoded by this sink's encoder. A closed
        pipe raises BrokenPipeError (its `delivered`: the records written
        whole), which the run loop takes as the reader's "enough"."""
        framed = self._framing.frame(data)
        view, written = memoryview(framed), 0
        try:
            while written < len(framed):  # Ctrl-C can cut a write to a pipe short
                written += self.stream.write(view[written:]) or 0
        except BrokenPipeError as closed:
            # The records that reached the pipe whole were delivered; the run
            # loop adds them to its count (see run_loop).
            header = len(framed) - len(data)
            whole = whole_records(self._format, data, max(written - header, 0))
            self.delivery.sent += whole
            self.delivery.acknowledged += whole
            closed.delivered = whole  # type: ignore[attr-defined]
            self._silence()
            raise
        self.delivery.sent += count
        self.delivery.acknowledged += count

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._silence()
            raise

    def close(self) -> Delivery:
        if self._closed:
            return self.delivery
        self._closed = True
        try:
            ending = self._framing.ending()
            if ending:
                self.stream.write(ending)
            self.flush()
        except BrokenPipeError:
            self._silence()
        finally:
            if self._owned:
                self._close_stream()
        return self.delivery

    def _close_stream(self) -> None:
        self._owned = False
        try:
            self.stream.close()
        except BrokenPipeError:
            pass

    def _silence(self) -> None:
        if self.stream is sys.stdout.buffer:
            silence_stdout()
