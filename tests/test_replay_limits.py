"""Replay's limits on what a journey zip may expand to (issue 9, case 12): a
zip bomb is refused from its declared sizes, before anything is expanded."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from datagen.errors import ConfigError
from datagen.runs import replay as replay_module
from datagen.runs.replay import load_journey

GIB = 2**30


def deflated_zeros(size: int, chunk: int = 2**20) -> tuple[bytes, int]:
    """Raw deflate data of size zero bytes, made from one compressed chunk
    repeated (a full flush makes each copy independent), and its CRC."""
    assert size % chunk == 0
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(chunk)) + packer.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc, zeros = 0, bytes(chunk)
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    return block * (size // chunk) + end, crc


def write_bomb(path: Path, names: list[str], member_size: int) -> int:
    """A zip whose members named names each expand to member_size zeros (not
    zip64: member_size below 4 GiB); returns the zip's size on disk."""
    data, crc = deflated_zeros(member_size)
    local, central = bytearray(), bytearray()
    for name in names:
        raw = name.encode()
        offset = len(local)
        fields = (20, 0, 8, 0, 0, crc, len(data), member_size, len(raw))
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + raw + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset
        )
        central += raw
    end = struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        len(names),
        len(names),
        len(central),
        len(local),
        0,
    )
    path.write_bytes(bytes(local + central + end))
    return path.stat().st_size


def bomb_journey(make_journeys: Any, members: int, member_size: int) -> Path:
    """A real journey whose zip is replaced by a bomb holding its step files."""
    folder = make_journeys("starfleet", 1)
    metadata_path = next(folder.glob("*.json"))
    names = [
        step["filename"] for step in json.loads(metadata_path.read_text())["steps"]
    ]
    names = (names * members)[:members] if len(names) < members else names[:members]
    write_bomb(metadata_path.with_suffix(".zip"), names, member_size)
    return folder


def test_a_4mb_zip_expanding_to_4gib_is_refused_in_one_line(
    invoke: Any, make_journeys: Any
) -> None:
    """The case as found: a few MB on disk, 4 GiB expanded (four members of
    1 GiB); refused before a byte is expanded, so quickly."""
    folder = make_journeys("starfleet", 1)
    metadata_path = next(folder.glob("*.json"))
    steps = json.loads(metadata_path.read_text())["steps"]
    names = ([step["filename"] for step in steps] * 4)[:4]
    size = write_bomb(metadata_path.with_suffix(".zip"), names, GIB)
    assert size < 8 * 2**20
    result = invoke("replay", folder, "--speed", "0", ok=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert metadata_path.with_suffix(".zip").name in lines[0]
    assert "refused" in lines[0]


def test_the_ratio_is_capped_below_the_size_limits(
    make_journeys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay_module, "MAX_DOCUMENT_BYTES", 64 * 2**20)
    folder = bomb_journey(make_journeys, 1, 8 * 2**20)
    zip_path = next(folder.glob("*.zip"))
    with pytest.raises(ConfigError, match="expands [0-9]+ times"):
        load_journey(zip_path)


def test_the_total_is_capped(
    make_journeys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay_module, "MAX_RATIO", 10**6)
    monkeypatch.setattr(replay_module, "MAX_EXPANDED_BYTES", 3 * 2**20)
    folder = bomb_journey(make_journeys, 2, 2 * 2**20)
    with pytest.raises(ConfigError, match="expand past 3 MiB"):
        load_journey(next(folder.glob("*.zip")))


def test_a_member_bigger_than_it_declares_is_corrupt_not_expanded(
    make_journeys: Any,
) -> None:
    """Sizes are declared by the zip; zipfile stops expanding at the declared
    size, so a member that lies is caught by its CRC: a corrupt zip."""
    folder = bomb_journey(make_journeys, 99, 2**20)
    zip_path = next(folder.glob("*.zip"))
    lying = zip_path.read_bytes().replace(
        struct.pack("<I", 2**20), struct.pack("<I", 1024)
    )
    zip_path.write_bytes(lying)
    with pytest.raises(ConfigError, match="is corrupt"):
        load_journey(zip_path)
