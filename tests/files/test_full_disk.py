"""A full disk (a real 2 MB tmpfs): the earlier file stays whole, the error names
the file and exits 1, and every sink gets its line in the report."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.errors import ConfigError, OutputError
from datagen.files.atomic import TEMP_PREFIX, write_atomic
from tests.processes import run_generate

FillDisk = Callable[[Path, int], None]
FULL = "No space left on device"
#: More orders than the bytes left free take in every format (~1 KB a line).
MANY = 4000
LEAVE = 150_000


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"{TEMP_PREFIX}*"))


def error_line(stderr: str) -> str:
    """The one `Error:` line (per-sink report lines come before it)."""
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    return errors[0]


def report_line(stderr: str, sink: str) -> tuple[int, int, int]:
    """(sent, acknowledged, failed) from a sink's report line."""
    pattern = rf"^  {re.escape(sink)}: sent (\d+), acknowledged (\d+), failed (\d+)$"
    match = re.search(pattern, stderr, re.MULTILINE)
    assert match, stderr
    sent, acknowledged, failed = (int(group) for group in match.groups())
    return sent, acknowledged, failed


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_o_file_on_a_full_disk_keeps_the_earlier_file_and_names_it(
    invoke, small_disk: Path, fill_disk: FillDisk, fmt: str
) -> None:
    target = small_disk / f"orders.{fmt}"
    argv = ["document", "-p", "order", "--format", fmt, "-o", target, "--seed", 1]
    invoke(*argv, "-q", 3)
    earlier = target.read_bytes()
    fill_disk(small_disk, LEAVE)

    result = invoke(*argv, "-q", MANY, ok=False)

    assert result.exit_code == 1, result.output
    assert error_line(result.stderr) == f"Error: cannot write '{target}': {FULL}"
    assert target.read_bytes() == earlier
    assert temp_files(small_disk) == []


def test_o_folder_on_a_full_disk_keeps_whole_files_and_names_the_one_cut(
    invoke, small_disk: Path, fill_disk: FillDisk
) -> None:
    folder = small_disk / "orders"
    fill_disk(small_disk, LEAVE)

    result = invoke("document", "-p", "order", "-q", MANY, "-o", folder, ok=False)

    assert result.exit_code == 1, result.output
    line = error_line(result.stderr)
    assert re.fullmatch(
        rf"Error: cannot write '{re.escape(str(folder))}/order_\d{{6}}\.json': {FULL}",
        line,
    ), line
    files = sorted(folder.glob("order_*.json"))
    assert files and all(json.loads(path.read_bytes())["id"] for path in files)
    assert report_line(result.stderr, f"folder:{folder}")[:2] == (len(files),) * 2
    assert temp_files(small_disk) == []


@pytest.mark.parametrize(
    "name", ["o.jsonl", "o.csv", "o.json", "o.parquet", "o.parquet?row_group=500"]
)
def test_sink_file_on_a_full_disk_fails_alone_and_every_sink_reports(
    invoke, tmp_path: Path, small_disk: Path, fill_disk: FillDisk, name: str
) -> None:
    """The sink on the full disk keeps its earlier file; the other sink still
    delivers; both get their line."""
    spec = f"file:{small_disk / name}"
    target = small_disk / name.split("?")[0]
    elsewhere = tmp_path / "ok.jsonl"
    argv = ["document", "-p", "order", "--seed", 1]
    invoke(*argv, "--sink", spec, "-q", 3)
    earlier = target.read_bytes()
    fill_disk(small_disk, LEAVE)

    result = invoke(
        *argv, "--sink", f"file:{elsewhere}", "--sink", spec, "-q", MANY, ok=False
    )

    assert result.exit_code == 1, result.output
    assert error_line(result.stderr) == f"Error: cannot write '{target}': {FULL}"
    sent, acknowledged, failed = report_line(result.stderr, spec)
    assert sent > 0 and acknowledged == 0 and failed == sent
    delivered = report_line(result.stderr, f"file:{elsewhere}")
    assert delivered[0] == delivered[1] > 0 and delivered[2] == 0
    assert len(elsewhere.read_bytes().splitlines()) == delivered[0]
    assert target.read_bytes() == earlier
    if target.suffix == ".parquet":
        assert pq.read_table(target).num_rows == 3
    assert temp_files(small_disk) == []


def test_simulate_with_workers_names_the_file_and_exits_1(
    small_disk: Path, fill_disk: FillDisk
) -> None:
    """As found: `simulate --workers 2` said only 'No space left on device'."""
    target = small_disk / "web.jsonl"
    fill_disk(small_disk, 100_000)

    result = run_generate(
        *("simulate", "web", "--actors", 300, "--duration", "2h"),
        *("--workers", 2, "--seed", 3, "--quiet", "-o", target),
    )

    assert result.returncode == 1, result.stderr
    assert error_line(result.stderr) == f"Error: cannot write '{target}': {FULL}"
    assert "Traceback" not in result.stderr
    assert not target.exists() and temp_files(small_disk) == []


def test_a_full_disk_is_a_failed_run_not_bad_input(
    small_disk: Path, fill_disk: FillDisk
) -> None:
    fill_disk(small_disk, 0)
    target = small_disk / "profiles.json"
    with pytest.raises(OutputError, match=f"cannot write '{target}': {FULL}") as error:
        write_atomic(target, b"x" * 200_000)
    assert not isinstance(error.value, ConfigError)
    assert not target.exists() and temp_files(small_disk) == []
