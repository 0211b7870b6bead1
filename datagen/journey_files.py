"""Journey files: a zip of the step documents and a metadata JSON beside it."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from datagen.atomic import write_atomic
from datagen.encoders import dumps_pretty
from datagen.paths import safe_file_name

if TYPE_CHECKING:
    from datagen.journeys import JourneyProvider

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def journey_stem(journey: JourneyProvider) -> str:
    """<provider>_<user_id>, checked to be a safe file name."""
    return safe_file_name(f"{journey.name}_{journey.user_id}", "journey name")


def zip_bytes(journey: JourneyProvider) -> bytes:
    """The journey's documents as a zip; the same journey gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for step in journey.steps:
            info = zipfile.ZipInfo(step.filename, date_time=_zip_time(step.timestamp))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, dumps_pretty(step.document))
    return buffer.getvalue()


def _zip_time(timestamp: str) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute)
    return max((*stamp, moment.second), _ZIP_EPOCH)


def write_journey(journey: JourneyProvider, folder: str | Path) -> Path:
    """Write the zip, then the metadata (its presence marks a whole journey)."""
    folder = Path(folder)
    stem = journey_stem(journey)
    zip_path = folder / f"{stem}.zip"
    write_atomic(zip_path, zip_bytes(journey))
    write_atomic(folder / f"{stem}.json", dumps_pretty(journey.journey_metadata))
    return zip_path
