"""Replay: journeys' steps merged on one timeline and emitted when their time comes."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.pacing import Pacer
from datagen.errors import ConfigError
from datagen.files.journey_archive import QuietZip
from datagen.journeys import METADATA_VERSION
from datagen.runs.loop import ProgressCallback, RunResult, run_loop
from datagen.runs.outputs import Outputs
from datagen.sinks.base import BaseSink

#: What reading a damaged zip raises: bad headers, bad deflate data, truncation.
_ZIP_ERRORS = (OSError, zipfile.BadZipFile, zlib.error, EOFError)
#: Limits on what one journey zip may expand to (a zip bomb of a few MB can
#: expand to GBs): a document, the whole zip, and the expansion ratio of any
#: member above RATIO_FLOOR (small JSON documents compress well legitimately).
MAX_DOCUMENT_BYTES = 64 * 2**20
MAX_EXPANDED_BYTES = 512 * 2**20
MAX_RATIO = 200
RATIO_FLOOR = 2**20
#: Members are checked by streaming them in chunks of this size, never whole.
_CHUNK = 2**20
#: The slowest replay: one second of the journeys per this many real seconds
#: at most (a speed below 1/86400 would take days per second of a journey).
MIN_SPEED = 1 / 86400


@dataclass(frozen=True)
class ReplayStep:
    """One step of one journey on the shared timeline."""

    offset_seconds: int
    journey_index: int
    step_index: int
    zip_path: Path
    filename: str
    metadata: dict[str, Any]
    journey: dict[str, Any]

    def read(self) -> dict[str, Any]:
        """The step's document, read from its zip."""
        try:
            with QuietZip(self.zip_path) as archive:
                with archive.open(self.filename) as member:
                    data = member.read(MAX_DOCUMENT_BYTES + 1)
            if len(data) > MAX_DOCUMENT_BYTES:
                raise ConfigError(
                    f"replay: '{self.zip_path}': {self.filename} expands past "
                    f"{_size(MAX_DOCUMENT_BYTES)} (the limit of a document)"
                )
            return orjson.loads(data)
        except (*_ZIP_ERRORS, KeyError, orjson.JSONDecodeError) as exc:
            raise ConfigError(
                f"replay: '{self.zip_path}': {self.filename}: {exc}"
            ) from None

    def envelope(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document with where it came from and when."""
        return {
            "journey": self.journey.get("journey"),
            "user_id": self.journey.get("user_id"),
            "step": self.step_index,
            "document_type": self.metadata.get("document_type"),
            "offset_seconds": self.offset_seconds,
            "timestamp": self.metadata.get("timestamp"),
            "document": document,
        }


def find_journey_zips(paths: Iterable[Path]) -> list[Path]:
    """The journey zips named by paths: zips, metadata files, or folders of them."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.zip")))
        elif path.suffix == ".json":
            found.append(path.with_suffix(".zip"))
        elif path.exists():
            found.append(path)
        else:
            raise ConfigError(f"replay: '{path}' does not exist")
    if not found:
        raise ConfigError(
            "replay: no journey zips found in " + ", ".join(map(str, paths))
        )
    return found


def load_journey(zip_path: Path) -> dict[str, Any]:
    """A journey's metadata, checked against its zip; ConfigError names the file."""
    metadata_path = zip_path.with_suffix(".json")
    try:
        metadata = orjson.loads(metadata_path.read_bytes())
        steps = metadata["steps"]
        needed = {step["filename"] for step in steps}
        for step in steps:
            int(step["offset_seconds"]), int(step["index"])
    except FileNotFoundError:
        raise ConfigError(
            f"replay: '{zip_path}' has no metadata file '{metadata_path}'"
        ) from None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"replay: '{metadata_path}' is not journey metadata: {exc}"
        ) from None
    version = metadata.get("metadata_version", METADATA_VERSION)
    if version != METADATA_VERSION:
        raise ConfigError(
            f"replay: '{metadata_path}': metadata_version {version!r} is not "
            f"supported (this version of datagen reads {METADATA_VERSION})"
        )
    try:
        with QuietZip(zip_path) as archive:
            missing = needed - set(archive.namelist())
            check_expansion(zip_path, archive.infolist())
            broken = _first_unreadable(archive)
    except _ZIP_ERRORS as exc:
        raise ConfigError(
            f"replay: '{zip_path}' is not a readable zip: {exc}"
        ) from None
    if missing or broken:
        raise ConfigError(
            f"replay: '{zip_path}' is corrupt: "
            f"{broken or sorted(missing)[0]} unreadable"
        )
    return metadata


def check_expansion(zip_path: Path, members: Sequence[zipfile.ZipInfo]) -> None:
    """ConfigError when the members' declared sizes exceed the limits above.

    The sizes a zip declares bound what zipfile will expand (it stops at the
    declared size and checks the CRC), so checking them first keeps a zip
    bomb from being expanded at all.
    """
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_DOCUMENT_BYTES:
            problem = (
                f"{member.filename} expands to {_size(member.file_size)} "
                f"(the limit of a document is {_size(MAX_DOCUMENT_BYTES)})"
            )
        elif member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            problem = (
                f"{member.filename} expands {ratio:.0f} times "
                f"(limit {MAX_RATIO}): a zip bomb?"
            )
        elif total > MAX_EXPANDED_BYTES:
            problem = (
                f"its members expand past {_size(MAX_EXPANDED_BYTES)} "
                "(the limit of a journey)"
            )
        else:
            continue
        raise ConfigError(f"replay: '{zip_path}' refused: {problem}")


def _first_unreadable(archive: zipfile.ZipFile) -> str | None:
    """The first member whose data or CRC is bad, read in chunks (like
    ZipFile.testzip, which this replaces so a member is never held whole)."""
    for member in archive.infolist():
        try:
            with archive.open(member) as stream:
                while stream.read(_CHUNK):
                    pass
        except zipfile.BadZipFile:
            return member.filename
    return None


def _size(count: int) -> str:
    """A byte count in MiB or GiB, for messages."""
    if count >= 2**30:
        return f"{count / 2**30:.1f} GiB"
    return f"{count / 2**20:.0f} MiB"


def timeline(zips: Iterable[Path]) -> list[ReplayStep]:
    """Every step of every journey, ordered by offset (ties: journey, then step)."""
    steps = [
        ReplayStep(
            int(step["offset_seconds"]),
            journey_index,
            int(step["index"]),
            zip_path,
            step["filename"],
            step,
            journey,
        )
        for journey_index, zip_path in enumerate(zips)
        for journey in [load_journey(zip_path)]
        for step in journey["steps"]
    ]
    return sorted(
        steps, key=lambda s: (s.offset_seconds, s.journey_index, s.step_index)
    )


def check_speed(speed: float) -> float:
    """speed if it is 0 (as fast as possible) or from MIN_SPEED up (NaN is
    not); else ConfigError. A tinier speed would overflow the waits."""
    if not speed >= 0:
        raise ConfigError(f"--speed must be 0 or more, not {speed}")
    if 0 < speed < MIN_SPEED:
        raise ConfigError(
            f"--speed {speed:g} is too slow: use 0 (as fast as possible) or at "
            f"least {MIN_SPEED:.3g} (a second of the journeys per day)"
        )
    return speed


def paced(
    steps: list[ReplayStep], speed: float, clock: LiveClock | None = None
) -> Iterator[ReplayStep]:
    """steps when their time comes: offset / speed seconds after the first one
    (all at once at speed 0)."""
    check_speed(speed)
    if not speed:
        yield from steps
        return
    pacer = Pacer(clock)
    first_offset = steps[0].offset_seconds if steps else 0
    for step in steps:
        pacer.wait_until((step.offset_seconds - first_offset) / speed)
        yield step


def replay(
    paths: Iterable[Path],
    speed: float = 1.0,
    output: Path | None = None,
    envelope: bool = False,
    on_progress: ProgressCallback | None = None,
    sinks: Sequence[BaseSink] | None = None,
    target: str | None = None,
    outputs: Outputs | None = None,
    on_total: ProgressCallback | None = None,
) -> RunResult:
    """Emit the journeys' documents in time order to stdout, a folder (output),
    the given sinks, or outputs (opened once the journeys are checked); the
    result carries the sinks' counts. A folder gets a JSON file per document
    (outputs say their own format). on_total is told how many documents the
    replay emits, before the first.

    Ctrl-C stops the replay; what was emitted is counted in the result.
    """
    check_speed(speed)
    steps = timeline(find_journey_zips(list(paths)))
    if sinks is None:
        if outputs is None:  # JSON lines on stdout, else a file per document
            outputs = Outputs(output, format="jsonl" if output is None else "json")
        sinks, target = outputs.open("replay")
    if on_total is not None:
        on_total(len(steps))
    return run_loop(
        _documents(paced(steps, speed), envelope),
        sinks,
        target=target or "",
        seed=None,
        requested=len(steps),
        flush_each=speed > 0,
        on_progress=(lambda batch: on_progress(len(batch))) if on_progress else None,
    )


def _documents(steps: Iterator[ReplayStep], envelope: bool) -> Iterator[Batch]:
    """Each step's document (in its envelope when asked) as a batch of one."""
    for step in steps:
        document = step.read()
        event = step.envelope(document) if envelope else document
        yield Batch([event], None, float(step.offset_seconds))
