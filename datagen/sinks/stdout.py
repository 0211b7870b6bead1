"""The stdout sink: JSON lines on standard output, for pipes."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO

from datagen.encoders import JsonLinesEncoder
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.spec import register_sink


@register_sink
class StdoutSink(BaseSink):
    """JSON lines on stdout; a closed pipe (`| head`) ends the run quietly."""

    name = "stdout"
    schemes = ("stdout",)

    @classmethod
    def from_url(cls, url: str) -> StdoutSink:
        return cls()

    def __init__(self, stream: BinaryIO | None = None) -> None:
        super().__init__()
        self.stream = stream if stream is not None else sys.stdout.buffer
        self.encoder = JsonLinesEncoder()

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        if events:
            self.write_encoded(JsonLinesEncoder().encode_many(events), len(events))

    def write_encoded(self, data: bytes, count: int) -> None:
        """Write count events already encoded as JSON lines. A closed pipe
        raises BrokenPipeError (its `delivered`: the lines written whole),
        which the run loop takes as the reader's "enough"."""
        view, written = memoryview(data), 0
        try:
            while written < len(data):  # Ctrl-C can cut a write to a pipe short
                written += self.stream.write(view[written:]) or 0
        except BrokenPipeError as closed:
            # The lines that reached the pipe whole were delivered; the run
            # loop adds them to its count (see run_loop).
            whole = data.count(b"\n", 0, written)
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
        try:
            self.flush()
        except BrokenPipeError:
            pass
        return self.delivery

    def _silence(self) -> None:
        """Point stdout at /dev/null once its reader is gone, so Python's own
        flush at exit does not report the broken pipe again."""
        if self.stream is sys.stdout.buffer:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)
            except (OSError, ValueError):  # not a real file (a test's buffer)
                pass
