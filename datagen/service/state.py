"""`serve --state FILE`: the running generators kept on disk, so a restarted
service resumes them where they were (same seed, same position: the stream
continues as if it had never stopped).

The file is rewritten atomically when a generator is added, removed or ends,
every SAVE_SECONDS while any runs, and at shutdown. After a clean stop it
holds exactly what was sent; after a crash (kill -9), the last save: events
sent since then are sent again on resume (the same events, as the stream is
seeded), so a keyed table ends the same and a topic may hold a few twice.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path

import orjson

from datagen.errors import ConfigError
from datagen.files.atomic import write_atomic
from datagen.service.generator import Saved
from datagen.service.manager import Generators
from datagen.service.requests import DestinationSpec, EventSpec, ScheduleSpec

VERSION = 1
SAVE_SECONDS = 1.0


def encode(saved: list[Saved]) -> bytes:
    items = [
        {
            "destination": asdict(item.schedule.destination),
            "event": asdict(item.schedule.event),
            "seed": item.seed,
            "produced": item.produced,
            "counts": list(item.counts),
        }
        for item in saved
    ]
    return orjson.dumps(
        {"version": VERSION, "generators": items}, option=orjson.OPT_INDENT_2
    )


def decode(data: bytes, file: Path) -> list[Saved]:
    """The generators a state file holds; ConfigError naming the file when
    it is not one (a file this service wrote is never refused)."""
    try:
        document = orjson.loads(data) if data.strip() else {"generators": []}
        if document.get("version", VERSION) != VERSION:
            raise ValueError(f"version {document.get('version')} is not {VERSION}")
        found = []
        for item in document["generators"]:
            destination = dict(item["destination"])
            if destination.get("key") is not None:
                destination["key"] = tuple(destination["key"])
            schedule = ScheduleSpec(
                DestinationSpec(**destination), EventSpec(**item["event"])
            )
            sent, acknowledged, failed = map(int, item.get("counts", (0, 0, 0)))
            found.append(
                Saved(
                    schedule,
                    int(item["seed"]),
                    int(item["produced"]),
                    (sent, acknowledged, failed),
                )
            )
        return found
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"state file {file}: not a datagen serve state ({exc})")


class StateFile:
    """Keeps generators' state in file while the service runs."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.generators: Generators | None = None

    def load(self) -> list[Saved]:
        try:
            data = self.file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ConfigError(
                f"state file {self.file}: cannot be read: {exc.strerror}"
            ) from None
        return decode(data, self.file)

    def save(self) -> None:
        if self.generators is None:
            return
        data = encode(self.generators.saved())
        with self._lock:
            write_atomic(self.file, data)

    def keep(self, generators: Generators) -> None:
        """Save now and every SAVE_SECONDS until close()."""
        self.generators = generators
        self.save()
        self._thread = threading.Thread(target=self._loop, name="state", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(SAVE_SECONDS):
            try:
                self.save()
            except OSError:  # a full disk: the next save tries again
                pass

    def close(self, final: list[Saved] | None = None) -> None:
        """Stop saving; write final (the generators as they stopped)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if final is not None:
            with self._lock:
                write_atomic(self.file, encode(final))
