"""Bad input of every command: a one-line error naming what is wrong, no traceback."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mimesis import Field

from datagen import DocumentProvider, JourneyProvider

Argv = Callable[[Path, Callable[..., Path]], list[Any]]


def _define_bad_providers() -> None:
    """Providers that fail in each way; the test's isolated registries drop them."""

    class Exploding(DocumentProvider):
        name = "exploding"
        description = "Its schema raises."

        def create_schema(self, _: Field) -> dict[str, Any]:
            raise ValueError("boom in the schema")

    class Varying(DocumentProvider):
        name = "varying"
        description = "Every document but the first has a field more."
        made = 0

        def create_schema(self, _: Field) -> dict[str, Any]:
            self.made += 1
            return {"id": self.uuid(), **({"extra": 1} if self.made > 1 else {})}

    class ExplodingJourney(JourneyProvider):
        name = "exploding_journey"
        description = "Its journey raises."

        def create_journey(self) -> None:
            raise KeyError("no such step")

    class BadDelay(JourneyProvider):
        name = "bad_delay"
        description = "A delay range the wrong way round."

        def create_journey(self) -> None:
            self.add_step("cart", {}, delay=[10, 5])

    class Escaping(JourneyProvider):
        name = "../escape"
        description = "A name that would write outside the output folder."

        def create_journey(self) -> None:
            self.add_step("cart", {})


def _file(tmp: Path) -> Path:
    path = tmp / "a_file"
    path.write_text("in the way\n")
    return path


def _zip_without_metadata(tmp: Path, make: Callable[..., Path]) -> Path:
    folder = make(quantity=1)
    for metadata in folder.glob("*.json"):
        metadata.unlink()
    return next(folder.glob("*.zip"))


def _garbage_zip(tmp: Path, make: Callable[..., Path]) -> Path:
    folder = make(quantity=1)
    zip_path = next(folder.glob("*.zip"))
    zip_path.write_bytes(b"PK\x03\x04 this is not a zip")
    return folder


def _damaged_zip(tmp: Path, make: Callable[..., Path]) -> Path:
    """A zip whose first document's compressed bytes are flipped."""
    folder = make(quantity=1)
    zip_path = next(folder.glob("*.zip"))
    data = bytearray(zip_path.read_bytes())
    info = zipfile.ZipFile(zip_path).infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for index in range(start + 2, start + 40):
        data[index] ^= 0x5A
    zip_path.write_bytes(bytes(data))
    return zip_path


def _zip_missing_a_step(tmp: Path, make: Callable[..., Path]) -> Path:
    folder = make(quantity=1)
    zip_path = next(folder.glob("*.zip"))
    with zipfile.ZipFile(zip_path) as archive:
        kept = {name: archive.read(name) for name in archive.namelist()[:-1]}
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, data in kept.items():
            archive.writestr(name, data)
    return zip_path


def _metadata_not_json(tmp: Path, make: Callable[..., Path]) -> Path:
    folder = make(quantity=1)
    metadata = next(folder.glob("*.json"))
    metadata.write_text("{ not json")
    return metadata


def _metadata_is_a_folder(tmp: Path, make: Callable[..., Path]) -> Path:
    folder = make(quantity=1)
    metadata = next(folder.glob("*.json"))
    metadata.unlink()
    metadata.mkdir()
    return metadata.with_suffix(".zip")


def _empty_folder(tmp: Path) -> Path:
    folder = tmp / "empty"
    folder.mkdir()
    return folder


# (argv builder, exit code, what the message must contain): bad input (any
# ConfigError) exits 2, a run that failed 1
CASES: dict[str, tuple[Argv, int, str]] = {
    "unknown document provider": (
        lambda tmp, make: ["document", "-p", "nope"],
        2,
        "Error: unknown document provider 'nope' (available: cart, customer, ",
    ),
    "unknown journey provider": (
        lambda tmp, make: ["journey", "--journey_provider", "nope"],
        2,
        "Error: unknown journey provider 'nope' (available: ",
    ),
    "unknown name for show": (
        lambda tmp, make: ["show", "nope"],
        2,
        "unknown provider or simulation 'nope' (available: ",
    ),
    "quantity 0": (
        lambda tmp, make: ["document", "-p", "cart", "-q", "0", "-o", tmp / "o"],
        2,
        "quantity must be at least 1, not 0",
    ),
    "negative journey quantity": (
        lambda tmp, make: ["journey", "-p", "starfleet", "-q", "-3", "-o", tmp],
        2,
        "quantity must be at least 1, not -3",
    ),
    "output folder cannot be created": (
        lambda tmp, make: ["document", "-p", "cart", "-o", "/proc/datagen/out"],
        2,
        "output path '/proc/datagen/out' cannot be created",
    ),
    "output folder not writable": (
        lambda tmp, make: ["document", "-p", "cart", "-o", "/proc"],
        2,
        "output path '/proc' is not writable",
    ),
    "output file not writable": (
        lambda tmp, make: [
            *("document", "-p", "cart", "--format", "jsonl", "-o", "/proc/c.jsonl")
        ],
        2,
        "output path '/proc' is not writable",
    ),
    "journey output not writable": (
        lambda tmp, make: ["journey", "-p", "starfleet", "-o", "/proc/j"],
        2,
        "output path '/proc/j' cannot be created",
    ),
    "a file in the way of the folder": (
        lambda tmp, make: ["document", "-p", "cart", "-o", _file(tmp) / "sub"],
        2,
        "a_file' is a file, not a folder",
    ),
    "a file where the folder goes": (
        lambda tmp, make: ["journey", "-p", "starfleet", "-o", _file(tmp)],
        2,
        "a_file' is a file, not a folder",
    ),
    "unknown locale": (
        lambda tmp, make: ["document", "-p", "cart", "--locale", "xx", "-o", tmp],
        2,
        "unknown locale 'xx' (available: ar-ae, ",
    ),
    "unknown journey locale": (
        lambda tmp, make: ["journey", "-p", "starfleet", "--locale", "en_US"],
        2,
        "unknown locale 'en_US'",
    ),
    "unknown format": (
        lambda tmp, make: ["document", "-p", "cart", "--format", "xml", "-o", tmp],
        2,
        "unknown format 'xml' (available: csv, json, jsonl, parquet)",
    ),
    "bad start time": (
        lambda tmp, make: ["document", "-p", "cart", "--start", "soon", "-o", tmp],
        2,
        "--start: 'soon' is not an ISO 8601 time",
    ),
    "workers 0": (
        lambda tmp, make: ["document", "-p", "cart", "--workers", "0", "-o", tmp],
        2,
        "workers must be at least 1, not 0",
    ),
    "journey workers 0": (
        lambda tmp, make: ["journey", "-p", "starfleet", "--workers", "0"],
        2,
        "workers must be at least 1, not 0",
    ),
    "a schema that raises": (
        lambda tmp, make: ["document", "-p", "exploding", "-o", tmp / "o"],
        1,
        "document provider 'exploding' failed: ValueError: boom in the schema",
    ),
    "a schema that raises, to stdout": (
        lambda tmp, make: ["document", "-p", "exploding", "-o", "-"],
        1,
        "document provider 'exploding' failed",
    ),
    "csv of documents with varying fields": (
        lambda tmp, make: [
            *("document", "-p", "varying", "-q", "50", "--format", "csv", "-o", tmp)
        ],
        2,
        "csv: a document has field 'extra' that the first document did not have",
    ),
    "a journey that raises": (
        lambda tmp, make: ["journey", "-p", "exploding_journey", "-o", tmp / "o"],
        1,
        "journey provider 'exploding_journey' failed: KeyError: 'no such step'",
    ),
    "a delay range the wrong way round": (
        lambda tmp, make: ["journey", "-p", "bad_delay", "-o", tmp / "o"],
        1,
        "journey 'bad_delay' step 0: delay must be [lo, hi] whole seconds",
    ),
    "a journey name with ../": (
        lambda tmp, make: ["journey", "-p", "../escape", "-o", tmp / "o"],
        2,
        "journey provider name '../escape' cannot be used in a file name",
    ),
    "replay of a path that does not exist": (
        lambda tmp, make: ["replay", tmp / "missing"],
        2,
        "replay: '",
    ),
    "replay of a folder without journeys": (
        lambda tmp, make: ["replay", _empty_folder(tmp)],
        2,
        "replay: no journey zips found in ",
    ),
    "replay of a zip without metadata": (
        lambda tmp, make: ["replay", _zip_without_metadata(tmp, make)],
        2,
        "has no metadata file",
    ),
    "replay of a corrupt zip": (
        lambda tmp, make: ["replay", _garbage_zip(tmp, make)],
        2,
        "is not a readable zip: File is not a zip file",
    ),
    "replay of a zip with damaged data": (
        lambda tmp, make: ["replay", _damaged_zip(tmp, make)],
        2,
        "is not a readable zip: Error -3 while decompressing data",
    ),
    "replay of a zip missing a step": (
        lambda tmp, make: ["replay", _zip_missing_a_step(tmp, make)],
        2,
        "is corrupt: ",
    ),
    "replay of metadata that is not JSON": (
        lambda tmp, make: ["replay", _metadata_not_json(tmp, make)],
        2,
        "is not journey metadata",
    ),
    "replay of unreadable metadata": (
        lambda tmp, make: ["replay", _metadata_is_a_folder(tmp, make)],
        2,
        "is not journey metadata: [Errno 21] Is a directory",
    ),
    "replay at a negative speed": (
        lambda tmp, make: ["replay", make(quantity=1), "--speed", "-1"],
        2,
        "--speed must be 0 or more, not -1.0",
    ),
    "replay into a file": (
        lambda tmp, make: [
            "replay",
            make(quantity=1),
            "--speed",
            "0",
            "-o",
            _file(tmp),
        ],
        2,
        "a_file' is a file, not a folder",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_one_line(
    case, runner, tmp_path, make_journeys, isolated_registries
):
    from datagen.cli import cli

    _define_bad_providers()
    build, exit_code, message = CASES[case]
    argv = [str(arg) for arg in build(tmp_path, make_journeys)]
    result = runner.invoke(cli, argv)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr


def test_a_missing_path_is_named(invoke, tmp_path):
    result = invoke("replay", tmp_path / "missing.zip", ok=False)
    assert f"replay: '{tmp_path / 'missing.zip'}' does not exist" in result.stderr


def test_nothing_is_written_outside_the_output_folder(
    runner, tmp_path, isolated_registries
):
    from datagen.cli import cli

    _define_bad_providers()
    output = tmp_path / "a" / "b"
    result = runner.invoke(cli, ["journey", "-p", "../escape", "-o", str(output)])
    assert result.exit_code == 2
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
