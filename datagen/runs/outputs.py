"""A run's local output (-o and --format) as sinks, beside its --sink/--route ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datagen.encoders import Encoder, get_encoder
from datagen.errors import ConfigError
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.sinks.base import BaseSink
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
    output: Path | None, format_: str, stem: str, encoder: Encoder | None = None
) -> tuple[list[BaseSink], str]:
    """The sink for -o (None = stdout) and --format, and how to name the target:
    json is a folder of <stem>_<index>.json files, jsonl and csv one file
    (written with `encoder` when given, else the format's own)."""
    encoder_class = get_encoder(format_)
    if output is None:
        if format_ != "jsonl":
            raise ConfigError(f"--format {format_} needs -o PATH (stdout takes jsonl)")
        return [StdoutSink()], "stdout"
    stem = safe_file_name(stem, "output name")
    if format_ == "json":
        folder = prepare_output_folder(output)
        return [FolderSink(folder, stem)], str(folder)
    encoder = encoder or encoder_class()
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
        for sink in sinks:
            sink.abort()
        raise
    sinks.extend(opened)
    targets.extend(sink.describe() for sink in opened)
    return sinks, ", ".join(targets)
