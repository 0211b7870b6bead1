"""Replay: journeys' steps merged on one timeline and emitted when their time comes."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from datagen.engine.batches import Batch
from datagen.engine.clock import LiveClock
from datagen.engine.pacing import Pacer
from datagen.errors import ConfigError
from datagen.runs.loop import ProgressCallback, RunResult, run_loop
from datagen.runs.outputs import Outputs
from datagen.sinks.base import BaseSink

#: What reading a damaged zip raises: bad headers, bad deflate data, truncation.
_ZIP_ERRORS = (OSError, zipfile.BadZipFile, zlib.error, EOFError)


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
            with zipfile.ZipFile(self.zip_path) as archive:
                return orjson.loads(archive.read(self.filename))
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
    try:
        with zipfile.ZipFile(zip_path) as archive:
            missing = needed - set(archive.namelist())
            broken = archive.testzip()
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
    """speed if it is 0 or more (NaN is not); else ConfigError."""
    if not speed >= 0:
        raise ConfigError(f"--speed must be 0 or more, not {speed}")
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
) -> RunResult:
    """Emit the journeys' documents in time order to stdout, a folder (output),
    the given sinks, or outputs (opened once the journeys are checked); the
    result carries the sinks' counts. A folder gets a JSON file per document.

    Ctrl-C stops the replay; what was emitted is counted in the result.
    """
    check_speed(speed)
    steps = timeline(find_journey_zips(list(paths)))
    if sinks is None:
        outputs = outputs or Outputs(output)
        folder_or_stdout = "jsonl" if outputs.path is None else "json"
        sinks, target = replace(outputs, format=folder_or_stdout).open("replay")
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
