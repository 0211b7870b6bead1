"""A run's sinks at a checkpoint: what each holds, and how a resumed run
takes them over.

- a file (FileSink: JSON lines, CSV, one JSON array) is written under a temp
  name kept across a crash; a checkpoint records its path and length (the
  file synced first), a resumed run cuts it back to that length and appends;
- a folder (PartSink: a file per document, a zip per journey) writes whole
  files: a resumed run writes the blocks after the checkpoint again (the
  same bytes); what the folder held before the run is noted once, so the
  run's counts and manifest cover both parts;
- any other sink is flushed (its server has every event given so far), and
  a resumed run sends it the events after the checkpoint again;
- Parquet cannot be continued (its footer is written at the end): refused.

Each sink's counts are recorded too, and restored, so a resumed run reports
the whole run's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson

from datagen.encoders import dumps_pretty
from datagen.errors import ConfigError, DatagenError
from datagen.files.atomic import write_atomic
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.files import FileSink, FileState, PartSink
from datagen.sinks.router import CountedSink

#: The counts a checkpoint keeps of each sink.
_COUNTS = ("sent", "acknowledged", "failed", "retried", "unknown")


def inner(sink: BaseSink) -> BaseSink:
    """The sink that writes: a --sink/--route sink is wrapped for its report
    (CountedSink), and counts in the wrapped one until it closes."""
    while isinstance(sink, CountedSink):
        sink = sink.sink
    return sink


def refuse_unresumable(sinks: Sequence[BaseSink], option: str) -> None:
    """ConfigError for a sink a stopped run cannot go on with (Parquet)."""
    for sink in sinks:
        if inner(sink).name == "parquet":
            raise ConfigError(
                f"{option}: {sink.describe()} is Parquet, whose file is readable "
                "only once its footer is written at the end, so a stopped run "
                "cannot go on with it: write .jsonl or .csv, or drop " + option
            )


def prepare(sinks: Sequence[BaseSink], folder: Path) -> None:
    """A new checkpointed run: file sinks open a kept temp file now; what
    each output folder holds is noted (folder-<i>.json) for a resume."""
    for at, sink in enumerate(sinks):
        writer = inner(sink)
        if isinstance(writer, FileSink):
            writer.keep()
        elif isinstance(writer, PartSink):
            shared, files = writer.earlier_files()
            note = {"shared": shared, "files": files}
            write_atomic(folder / _folder_note(at), dumps_pretty(note))


def _folder_note(at: int) -> str:
    return f"folder-{at}.json"


def records(sinks: Sequence[BaseSink]) -> list[dict[str, Any]]:
    """Each sink as a checkpoint keeps it: name, counts, and for a file its
    temp file (synced). Other sinks are flushed first: their servers hold
    every event given so far (see delivered())."""
    found = []
    for sink in sinks:
        writer = inner(sink)
        record: dict[str, Any] = {"sink": sink.describe()}
        if isinstance(writer, FileSink):
            state = writer.saved()
            record["file"] = {**asdict(state), "temp": str(state.temp)}
        elif not isinstance(writer, PartSink):
            sink.flush()
        record["delivery"] = counts(writer.delivery)
        found.append(record)
    return found


def counts(delivery: Delivery) -> dict[str, int]:
    return {name: getattr(delivery, name) for name in _COUNTS}


def delivered(sinks: Sequence[BaseSink]) -> bool:
    """True when every sink has what it was sent (a file or a folder holds
    it; a server acknowledged it): a checkpoint may then claim those events."""
    for sink in sinks:
        writer = inner(sink)
        if isinstance(writer, (FileSink, PartSink)):
            continue
        mine = writer.delivery
        if mine.failed or mine.unknown or mine.acknowledged != mine.sent:
            return False
    return True


def suspend(sinks: Sequence[BaseSink]) -> None:
    """A stopped or failed run: each file sink keeps its temp file, synced,
    instead of renaming or dropping it; an error doing so leaves it as is."""
    for sink in sinks:
        writer = inner(sink)
        if isinstance(writer, FileSink):
            try:
                writer.suspend()
            except DatagenError:
                pass  # the file is gone (a full disk): a resume says so


def restore(
    sinks: Sequence[BaseSink], saved: Sequence[Any], folder: Path, option: str
) -> None:
    """A resumed run takes over the sinks as the checkpoint left them: files
    cut back and reopened, folders' earlier files, every sink's counts.
    ConfigError when the sinks are not the checkpoint's or a file is gone."""
    names = [sink.describe() for sink in sinks]
    kept = [
        record.get("sink") if isinstance(record, dict) else None for record in saved
    ]
    if names != kept:
        raise ConfigError(
            f"{option} {folder}: this run writes to {', '.join(names) or 'nothing'}, "
            f"the checkpoint's to {', '.join(map(str, kept)) or 'nothing'}"
        )
    for at, (sink, record) in enumerate(zip(sinks, saved)):
        writer = inner(sink)
        if isinstance(writer, FileSink):
            writer.resume(_file_state(record, writer, folder, option))
        elif isinstance(writer, PartSink):
            note = _read_note(folder / _folder_note(at), option)
            writer.take_earlier_files(bool(note["shared"]), note["files"])
        for name in _COUNTS:
            setattr(writer.delivery, name, int(record["delivery"].get(name, 0)))


def _file_state(
    record: dict[str, Any], sink: FileSink, folder: Path, option: str
) -> FileState:
    """The file of a record, checked: ConfigError when its temp file is gone
    or shorter than the checkpoint says (nothing is written then)."""
    try:
        state = FileState(
            Path(record["file"]["temp"]),
            int(record["file"]["length"]),
            bool(record["file"]["started"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ConfigError(
            f"{option} {folder}: the checkpoint does not say where {sink.path} stands"
        ) from None
    try:
        size = state.temp.stat().st_size
    except OSError:
        raise ConfigError(
            f"{option} {folder}: {state.temp}, the part of {sink.path} written "
            f"so far, is gone: delete {folder} and run again"
        ) from None
    if size < state.length:
        raise ConfigError(
            f"{option} {folder}: {state.temp} holds {size:,} bytes, fewer than "
            f"the {state.length:,} the checkpoint saved: delete {folder} and run again"
        )
    return state


def _read_note(path: Path, option: str) -> dict[str, Any]:
    try:
        note = orjson.loads(path.read_bytes())
        if isinstance(note, dict) and isinstance(note.get("files"), list):
            return note
    except (OSError, orjson.JSONDecodeError):
        pass
    raise ConfigError(f"{option}: {path} is missing or not what a checkpoint wrote")


def temp_files(saved: dict[str, Any]) -> list[Path]:
    """The kept temp files a checkpoint names."""
    return [
        Path(record["file"]["temp"])
        for record in saved.get("sinks", ())
        if isinstance(record, dict) and isinstance(record.get("file"), dict)
    ]
