"""A run's local output (-o and --format) as sinks, beside its --sink/--route ones."""

from __future__ import annotations


from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datagen.encoders import Encoder, get_encoder
from datagen.errors import ConfigError
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.runs.loop import as_base_sink
from datagen.sinks.base import BaseSink, Sink
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


@dataclass(frozen=True)
class Outputs:
    """Where a run's events go: the local output (-o: a folder or a file; path
    None is stdout; local False: none) in `format`, then each --sink spec and
    each --route rule. Commands build one; the run opens it."""

    path: Path | None = None
    local: bool = True
    format: str = "jsonl"
    sink_specs: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()

    @property
    def to_sinks(self) -> bool:
        """True when --sink or --route name somewhere to send events."""
        return bool(self.sink_specs or self.routes)

    def open(
        self, stem: str, encoder: Encoder | None = None
    ) -> tuple[list[BaseSink], str]:
        """The sinks, in order, and the target named in the summary; what
        opened is aborted again when a later one fails to open."""
        sinks: list[BaseSink] = []
        targets: list[str] = []
        if self.local:
            outputs, target = open_outputs(self.path, self.format, stem, encoder)
            sinks.extend(outputs)
            targets.append(target)
        try:
            opened = open_sinks(self.sink_specs, self.routes)
        except BaseException:
            for sink in sinks:
                sink.abort()
            raise
        sinks.extend(opened)
        targets.extend(sink.describe() for sink in opened)
        return sinks, ", ".join(targets)


#: Where a run goes: Outputs to open, or sinks a Python caller opened itself.
Destination = Outputs | Sequence[Sink]


def open_destination(
    to: Destination, stem: str, encoder: Encoder | None = None, target: str = ""
) -> tuple[list[BaseSink], str]:
    """The sinks of a run and the target named in its summary: Outputs are
    opened (files named after stem); given sinks are used as they are."""
    if isinstance(to, Outputs):
        return to.open(stem, encoder)
    sinks = [as_base_sink(sink) for sink in to]
    return sinks, target or ", ".join(sink.describe() for sink in sinks)
