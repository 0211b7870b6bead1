"""Journey files: a zip of the step documents and a metadata JSON beside it.

Both are made from a journey record (its metadata plus "documents", one per
step, as `JourneyProvider.record()` returns it), so the same code serves a
journey built in this process and one that reached a sink as an event.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from datagen.encoders import dumps_pretty
from datagen.files.atomic import write_atomic
from datagen.files.paths import safe_file_name

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def journey_stem(record: dict[str, Any]) -> str:
    """<provider>_<user_id>, checked to be a safe file name."""
    return safe_file_name(f"{record['journey']}_{record['user_id']}", "journey name")


class QuietZip(zipfile.ZipFile):
    """A ZipFile always closed by its `with`, without ZipFile's __del__,
    which closes it again when collected: on an object a Ctrl-C cut short
    inside __init__, that printed 'Exception ignored ... AttributeError' and
    a traceback (the rerun tests caught it). Nothing is lost without it: a
    zip built in memory is only bytes, and a file read closes its own
    descriptor when collected."""

    def __del__(self) -> None:
        pass


def zip_bytes(record: dict[str, Any]) -> bytes:
    """The journey's documents as a zip; the same journey gives the same bytes."""
    buffer = io.BytesIO()
    try:
        with QuietZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for step, document in zip(record["steps"], record["documents"]):
                info = zipfile.ZipInfo(
                    step["filename"], date_time=_zip_time(step["timestamp"])
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, dumps_pretty(document))
    except ValueError as exc:
        # a Ctrl-C inside writestr leaves an entry open, and closing the
        # archive then raises ValueError over it: the Ctrl-C is what happened
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise exc.__context__ from None
        raise
    return buffer.getvalue()


def metadata_of(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its documents: what the metadata file holds."""
    return {key: value for key, value in record.items() if key != "documents"}


def _zip_time(timestamp: str) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute)
    return max((*stamp, moment.second), _ZIP_EPOCH)


def write_journey(record: dict[str, Any], folder: str | Path) -> Path:
    """Write the zip, then the metadata (its presence marks a whole journey),
    each renamed into place whole (a file per event: not fsynced, see
    write_atomic); returns the zip's path."""
    folder = Path(folder)
    stem = journey_stem(record)
    zip_path = folder / f"{stem}.zip"
    write_atomic(zip_path, zip_bytes(record), durable=False)
    write_atomic(
        folder / f"{stem}.json", dumps_pretty(metadata_of(record)), durable=False
    )
    return zip_path
