"""A run's local output (-o and --format) as sinks, and closing a run's sinks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson

from datagen.encoders import JsonLinesEncoder, get_encoder
from datagen.errors import ConfigError, SinkError
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.sinks.base import BaseSink, Delivery, Sink
from datagen.sinks.files import FileSink, FolderSink
from datagen.sinks.router import open_sinks
from datagen.sinks.stdout import StdoutSink


def target_file(output: Path, stem: str, extension: str) -> Path:
    """output if it names a .<extension> file (and is no folder), else
    <output>/<stem>.<extension>."""
    if output.suffix == f".{extension}" and not output.is_dir():
        prepare_output_folder(output.parent)
        return output
    return prepare_output_folder(output) / f"{stem}.{extension}"


def open_outputs(
    output: Path | None, format_: str, stem: str
) -> tuple[list[BaseSink], str]:
    """The sink for -o (None = stdout) and --format, and how to name the target:
    json is a folder of <stem>_<index>.json files, jsonl and csv one file."""
    encoder_class = get_encoder(format_)
    if output is None:
        if format_ != "jsonl":
            raise ConfigError(f"--format {format_} needs -o PATH (stdout takes jsonl)")
        return [StdoutSink()], "stdout"
    stem = safe_file_name(stem, "output name")
    if format_ == "json":
        folder = prepare_output_folder(output)
        return [FolderSink(folder, stem)], str(folder)
    encoder = encoder_class()
    path = target_file(output, stem, encoder.extension)
    return [FileSink(path, encoder)], str(path)


def open_run_sinks(
    output: Path | None,
    local: bool,
    format_: str,
    stem: str,
    sink_specs: Sequence[str] = (),
    routes: Sequence[str] = (),
) -> tuple[list[BaseSink], str]:
    """All the sinks of a run: the local output when `local` (-o; output None is
    stdout), then each --sink and --route; and the target named in the summary."""
    sinks: list[BaseSink] = []
    targets: list[str] = []
    if local:
        outputs, target = open_outputs(output, format_, stem)
        sinks.extend(outputs)
        targets.append(target)
    try:
        opened = open_sinks(sink_specs, routes)
    except BaseException:
        close_sinks(sinks, failed=True)
        raise
    sinks.extend(opened)
    targets.extend(sink.describe() for sink in opened)
    return sinks, ", ".join(targets)


def close_sinks(sinks: Sequence[Sink], failed: bool = False) -> list[Delivery]:
    """Close (or at least flush) every sink, even when one fails; after a failed
    run, sinks that can abort do (a file keeps what it held). Returns the counts
    of sinks that keep them; a SinkError from a close is raised at the end,
    carrying those counts in `.deliveries`."""
    deliveries: list[Delivery] = []
    first_error: SinkError | None = None
    for sink in sinks:
        if failed and hasattr(sink, "abort"):
            sink.abort()
            continue
        close = getattr(sink, "close", None) or getattr(sink, "flush", None)
        try:
            result = close() if close is not None else None
        except SinkError as error:
            first_error = first_error or error
            result = getattr(sink, "delivery", None)
        if isinstance(result, Delivery):
            deliveries.append(result)
    if first_error is not None:
        first_error.deliveries = deliveries
        raise first_error
    return deliveries


def close_after(sinks: Sequence[Sink], error: BaseException) -> None:
    """Close a run's sinks on its way out with `error`. A SinkError lets the
    other sinks deliver what they hold and carries every sink's counts in
    `.deliveries`; any other error aborts the file sinks."""
    if not isinstance(error, SinkError):
        close_sinks(sinks, failed=True)
        return
    try:
        error.deliveries = close_sinks(sinks)
    except SinkError as second:
        error.deliveries = second.deliveries


def send_lines(sinks: Sequence[BaseSink], data: bytes, count: int) -> None:
    """count events encoded as JSON lines to every sink: as bytes where a sink
    writes JSON lines itself, else decoded once and sent as dicts."""
    events = None
    for sink in sinks:
        write_encoded = getattr(sink, "write_encoded", None)
        if write_encoded is not None and isinstance(
            getattr(sink, "encoder", None), JsonLinesEncoder
        ):
            write_encoded(data, count)
            continue
        if events is None:
            events = [orjson.loads(line) for line in data.splitlines()]
        sink.send_many(events)
