"""Charts of an output: events per hour of day (or weekday) from a JSON-lines file."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from datagen.files.atomic import write_atomic
from datagen.files.json_lines import read_json_lines
from datagen.errors import ConfigError, missing_package

#: Fields tried, in order, when no --field is given.
TIME_FIELDS = ("event_timestamp", "timestamp", "event_time", "time", "created_at")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BUCKETS = ("hour", "weekday")
PICTURE_FORMATS = ("png", "svg", "pdf")


@dataclass
class Counts:
    """Events per bucket, with what was counted."""

    by: str
    field: str
    labels: list[str]
    counts: list[int]
    source: str

    @property
    def total(self) -> int:
        return sum(self.counts)


def _moment(text: Any, where: str) -> datetime:
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise ConfigError(f"{where}: {text!r} is not an ISO 8601 time")


def count_events(path: Path, by: str = "hour", field: str | None = None) -> Counts:
    """Events per hour of day (0-23) or weekday, by the time in `field` (the
    first of TIME_FIELDS present when None), read as written (its own offset).

    Raises ConfigError for an unknown bucket, a file that cannot be read, a
    line that is not a JSON object, or a record without the field or with a
    value that is not a time.
    """
    if by not in BUCKETS:
        raise ConfigError(f"--by: '{by}' is not one of {', '.join(BUCKETS)}")
    size = 24 if by == "hour" else 7
    counts = [0] * size
    for number, record in read_json_lines(path, "plot"):
        if field is None:
            field = next((f for f in TIME_FIELDS if f in record), None)
            if field is None:
                raise ConfigError(
                    f"{path}:{number}: no time field ({', '.join(TIME_FIELDS)}); "
                    "name one with --field"
                )
        if field not in record:
            raise ConfigError(f"{path}:{number}: no field '{field}'")
        text = record[field]
        # The hour is at a fixed place in ISO 8601 text: no parsing for most lines.
        if (
            by == "hour"
            and isinstance(text, str)
            and len(text) > 13
            and text[13] == ":"
        ):
            hour = text[11:13]
            if hour.isdigit() and int(hour) < 24:
                counts[int(hour)] += 1
                continue
        moment = _moment(text, f"{path}:{number}: {field}")
        counts[moment.hour if by == "hour" else moment.weekday()] += 1
    labels = [str(h) for h in range(24)] if by == "hour" else list(WEEKDAYS)
    return Counts(by, field or "?", labels, counts, path.name)


def draw_counts(counts: Counts, output: Path) -> None:
    """A bar chart of counts, written (atomically) as .png, .svg or .pdf."""
    kind = output.suffix.lstrip(".").lower()
    if kind not in PICTURE_FORMATS:
        raise ConfigError(
            f"{output}: unknown picture format '{output.suffix}' "
            f"(use one of: {', '.join('.' + f for f in PICTURE_FORMATS)})"
        )
    try:
        import matplotlib
    except ModuleNotFoundError as exc:  # optional: only plot needs it
        raise missing_package(exc, "plot") from None

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(10, 4.5), dpi=110)
    try:
        positions = range(len(counts.labels))
        axes.bar(positions, counts.counts, color="#4c72b0", edgecolor="#2f4f7f")
        axes.set_xticks(list(positions), counts.labels)
        axes.set_xlabel("hour of day" if counts.by == "hour" else "day of week")
        axes.set_ylabel("events")
        axes.set_title(
            f"Events per {'hour of day' if counts.by == 'hour' else 'weekday'}: "
            f"{counts.total:,} events in {counts.source} (by {counts.field})"
        )
        axes.grid(axis="y", alpha=0.3)
        axes.set_axisbelow(True)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=kind)
    finally:
        pyplot.close(figure)
    write_atomic(output, buffer.getvalue())
