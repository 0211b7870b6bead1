"""A run's local output (-o and --format) as sinks, beside its --sink/--route ones.

-o names stdout (`-`), a device or pipe (/dev/null, /dev/stdout, a FIFO), one
file whose extension names its format (out.jsonl, out.csv, out.json: one JSON
array, out.parquet), or a folder (no extension, a trailing `/`, or a folder
that exists): a file per event for `json`, <stem>.<format> for the others, a
zip and metadata per journey for `zip`.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from datagen.encoders import Encoder, JsonLinesEncoder, get_encoder
from datagen.errors import ConfigError
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.runs.loop import as_base_sink
from datagen.sinks.base import BaseSink, Sink
from datagen.sinks.files import (
    FileSink,
    FolderSink,
    JourneyFolderSink,
    JsonArrayEncoder,
)
from datagen.sinks.router import open_sinks
from datagen.sinks.stdout import STDOUT_PATHS, StdoutSink

#: The formats of one file, named by its extension (-o out.<format>).
FILE_FORMATS = ("jsonl", "csv", "json", "parquet")
#: The formats stdout, a device or a pipe can take (parquet needs a file).
STREAM_FORMATS = ("jsonl", "csv", "json")
#: Formats whose sink takes dicts: the events reach it as JSON lines first.
_DICT_FORMATS = ("parquet", "zip")


def names_stream(path: Path) -> bool:
    """True when path is stdout, a device or a pipe (/dev/null, /dev/stdout,
    a FIFO): written as events come, never under a temp name renamed."""
    if str(path) in STDOUT_PATHS:
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _one_file(output: Path, extension: str, folder: bool) -> bool:
    """True when output names a .<extension> file rather than a folder."""
    return (
        not folder and output.suffix.lower() == f".{extension}" and not output.is_dir()
    )


def target_file(output: Path, stem: str, extension: str, folder: bool = False) -> Path:
    """output if it names a .<extension> file (not a folder: `folder` says
    the user wrote a trailing /), else <output>/<stem>.<extension>."""
    if _one_file(output, extension, folder):
        prepare_output_folder(output.parent)
        return output
    return prepare_output_folder(output) / f"{stem}.{extension}"


def local_format(
    output: Path | None,
    given: str | None,
    folder_format: str,
    file_formats: Sequence[str] = FILE_FORMATS,
    folder: bool = False,
) -> str:
    """The format -o writes (the rule the commands share): a file's extension
    names it, and a --format (`given`) that says otherwise is a ConfigError;
    a folder (no extension, a trailing /, or one that exists) takes --format,
    else folder_format; stdout, a device or a pipe take --format, else JSON
    lines. file_formats: what the command can write to one file or a stream.
    ConfigError for an extension that names no format."""
    if output is None or names_stream(output):
        where = "stdout" if output is None else str(output)
        chosen = given or "jsonl"
        if chosen not in STREAM_FORMATS or chosen not in file_formats:
            raise ConfigError(
                f"--format {chosen} cannot go to {where}: give -o a file or folder"
            )
        return chosen
    extension = output.suffix.lower().lstrip(".")
    if folder or output.is_dir() or not extension:
        return given or folder_format
    if extension not in FILE_FORMATS:
        raise ConfigError(
            f"-o {output}: '.{extension}' is no format: name a "
            f"{_extensions(file_formats)} file, or a folder (no extension, or "
            "ending in /)"
        )
    if extension not in file_formats:
        raise ConfigError(
            f"-o {output}: this command writes {_extensions(file_formats)} "
            "files, or a folder"
        )
    if given is not None and given != extension:
        raise ConfigError(
            f"-o {output} is a .{extension} file but --format says {given}: "
            "drop --format or make them agree"
        )
    return extension


def _extensions(formats: Sequence[str]) -> str:
    return ", ".join(f".{name}" for name in formats)


def _encoder(format_: str, encoder: Encoder | None) -> Encoder:
    """encoder if it writes format_, else the format's own; `json` into one
    file or a stream is one array."""
    if format_ == "json":
        return JsonArrayEncoder()
    if encoder is None or encoder.name != format_:
        return get_encoder(format_)()
    return encoder


def stream_sink(
    output: Path | None, format_: str, encoder: Encoder | None = None
) -> StdoutSink:
    """The sink for stdout (None), a device or a pipe, in format_."""
    if format_ not in STREAM_FORMATS:
        where = "stdout" if output is None else str(output)
        raise ConfigError(f"--format {format_} cannot go to {where}: give -o a file")
    if output is None:
        return StdoutSink(encoder=_encoder(format_, encoder))
    return StdoutSink.open_path(output, _encoder(format_, encoder))


def open_outputs(
    output: Path | None,
    format_: str,
    stem: str,
    encoder: Encoder | None = None,
    folder: bool = False,
) -> tuple[list[BaseSink], str]:
    """The sink for -o (None = stdout) and its format, and how to name the
    target (see the module's doc): `json` is one array in a .json file or a
    stream, else a folder of <stem>_<index>.json files; `zip` a folder of
    journeys; jsonl, csv and parquet one file (written with `encoder` when
    given, else the format's own)."""
    if output is None or names_stream(output):
        sink = stream_sink(output, format_, encoder)
        return [sink], sink.describe()
    stem = safe_file_name(stem, "output name")
    if format_ == "zip":
        folder_path = prepare_output_folder(output)
        return [JourneyFolderSink(folder_path, stem)], str(folder_path)
    if format_ == "json" and not _one_file(output, "json", folder):
        folder_path = prepare_output_folder(output)
        return [FolderSink(folder_path, stem)], str(folder_path)
    extension = "parquet" if format_ == "parquet" else get_encoder(format_).extension
    path = target_file(output, stem, extension, folder)
    if format_ == "parquet":
        from datagen.sinks.parquet import ParquetSink  # pyarrow: only when asked

        return [ParquetSink(path)], str(path)
    return [FileSink(path, _encoder(format_, encoder))], str(path)


@dataclass(frozen=True)
class Outputs:
    """Where a run's events go: the local output (-o: a folder or a file; path
    None is stdout; local False: none) in `format`, then each --sink spec and
    each --route rule. `folder`: -o named a folder (a trailing /) even if it
    looks like a file. Commands build one; the run opens it."""

    path: Path | None = None
    local: bool = True
    format: str = "jsonl"
    sink_specs: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    folder: bool = False

    @property
    def to_sinks(self) -> bool:
        """True when --sink or --route name somewhere to send events."""
        return bool(self.sink_specs or self.routes)

    @property
    def encoding(self) -> str:
        """The format the run encodes events in: `format`, or JSON lines for
        a sink that takes dicts (Parquet, journey zips)."""
        return JsonLinesEncoder.name if self.format in _DICT_FORMATS else self.format

    def open(
        self, stem: str, encoder: Encoder | None = None
    ) -> tuple[list[BaseSink], str]:
        """The sinks, in order, and the target named in the summary; what
        opened is aborted again when a later one fails to open."""
        sinks: list[BaseSink] = []
        targets: list[str] = []
        if self.local:
            outputs, target = open_outputs(
                self.path, self.format, stem, encoder, self.folder
            )
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


def outputs_per_stream(
    given: str | None,
    path: Path | None,
    format_: str,
    sinks: Mapping[str, tuple[str, ...]],
) -> dict[str, Outputs]:
    """The Outputs of each stream of a run of several ({stream: its sink
    specs}): in the folder -o names (`given` as written, `path` resolved,
    None for stdout), a file <stream>.<format>, or for `json` a folder
    <stream>/ of a file per document; then the stream's own sinks. With no
    -o (given None) every stream needs a sink. ConfigError when -o names
    stdout, a device or one file."""
    if given is None:
        bare = [name for name, specs in sinks.items() if not specs]
        if bare:
            raise ConfigError(
                f"stream '{bare[0]}' goes nowhere: give -o a folder (a file per "
                f"stream) or --sink {bare[0]}=SPEC"
            )
        return {
            name: Outputs(None, False, format_, specs) for name, specs in sinks.items()
        }
    if path is None or names_stream(path):
        raise ConfigError(
            f"-o {given}: several streams cannot share one output: give -o a "
            "folder (a file per stream) or --sink NAME=SPEC for each"
        )
    if not (given.endswith("/") or path.is_dir() or not path.suffix):
        raise ConfigError(
            f"-o {given}: several streams write a file each: give -o a folder "
            f"(e.g. -o {path.with_suffix('')}/)"
        )
    return {
        name: Outputs(
            path / name if format_ == "json" else path,
            True,
            format_,
            specs,
            folder=True,
        )
        for name, specs in sinks.items()
    }
