"""Temp files: never opened through a planted symlink, never named predictably,
and those a killed run left are removed by the next run into the same place."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.files.atomic import TEMP_PREFIX, AtomicFile, remove_stale_temp_files
from tests.processes import generate_command

VICTIM = "precious, outside the output folder\n"


def plant_symlinks(folder: Path, names: list[str], victim: Path) -> list[Path]:
    """Symlinks to victim under the temp names this process used to write."""
    links = []
    for name in names:
        link = folder / f"{TEMP_PREFIX}{os.getpid()}-{name}"
        link.symlink_to(victim)
        links.append(link)
    return links


@pytest.mark.parametrize(
    "argv, names",
    [
        (["--format", "jsonl", "-o", "{out}/orders.jsonl"], ["orders.jsonl"]),
        (["--format", "csv", "-o", "{out}/orders.csv"], ["orders.csv"]),
        (["-o", "{out}"], ["order_000000.json", "order_000001.json"]),
        (["--sink", "file:{out}/orders.parquet"], ["orders.parquet"]),
    ],
)
def test_a_planted_symlink_never_redirects_a_write(
    invoke, tmp_path: Path, argv: list[str], names: list[str]
) -> None:
    """As found: a symlink at `.datagen-tmp-$PID-name` overwrote a file
    outside the folder."""
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text(VICTIM)
    links = plant_symlinks(out, names, victim)

    invoke("document", "-p", "order", "-q", 2, *(a.format(out=out) for a in argv))

    assert victim.read_text() == VICTIM
    assert all(link.is_symlink() for link in links)
    for name in names:
        target = out / name
        assert target.is_file() and not target.is_symlink()
        if target.suffix == ".parquet":
            assert pq.read_table(target).num_rows == 2
        elif target.suffix == ".json":
            assert json.loads(target.read_bytes())["id"]
        else:
            assert len(target.read_bytes().splitlines()) >= 2


def test_temp_names_are_random_and_carry_the_pid(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    first, second = AtomicFile(target), AtomicFile(target)
    pattern = rf"{re.escape(TEMP_PREFIX)}{os.getpid()}-[A-Za-z0-9_]{{6,}}-out\.jsonl"
    for temp in (first, second):
        assert re.fullmatch(pattern, temp.temp.name), temp.temp.name
        assert temp.temp.parent == tmp_path
    assert first.temp != second.temp
    first.discard()
    second.discard()
    assert list(tmp_path.iterdir()) == []


def _killed_mid_run(*argv: object, folder: Path) -> list[Path]:
    """Start the CLI, SIGKILL it once a temp file holds data; its temp files."""
    process = subprocess.Popen(
        generate_command(*argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    try:
        while not any(p.stat().st_size > 0 for p in folder.glob(f"{TEMP_PREFIX}*")):
            assert process.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline, "no temp file in 30 s"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    return sorted(folder.glob(f"{TEMP_PREFIX}*"))


def test_a_killed_runs_temp_file_is_removed_by_the_next_run(
    invoke, tmp_path: Path
) -> None:
    """As found: SIGKILL left a .datagen-tmp-* file that later runs kept."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / "orders.jsonl"
    left = _killed_mid_run(
        *("document", "-p", "order", "-q", 2_000_000, "--format", "jsonl"),
        *("-o", target, "--quiet"),
        folder=out,
    )
    assert left, "the killed run left no temp file to clean"
    old_style = out / f"{TEMP_PREFIX}999999999-orders.jsonl"  # a dead PID
    old_style.write_text("half a line")
    live = out / f"{TEMP_PREFIX}{os.getpid()}-abcdef-orders.jsonl"  # ours: alive
    live.write_text("being written")

    invoke("document", "-p", "order", "-q", 3, "--format", "jsonl", "-o", target)

    assert not any(path.exists() for path in [*left, old_style])
    assert live.read_text() == "being written"
    assert len(target.read_bytes().splitlines()) == 3


def test_a_killed_json_folder_run_is_cleaned_by_the_next(
    invoke, tmp_path: Path
) -> None:
    folder = tmp_path / "orders"
    folder.mkdir()
    dead = folder / f"{TEMP_PREFIX}999999999-x1y2z3-order_000007.json"
    dead.write_text('{"id": ')

    invoke("document", "-p", "order", "-q", 2, "-o", folder)

    assert not dead.exists()
    assert sorted(folder.glob(f"{TEMP_PREFIX}*")) == []


def test_only_dead_processes_temp_files_are_removed(tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        alive = tmp_path / f"{TEMP_PREFIX}{sleeper.pid}-aaaaaa-out.jsonl"
        alive.write_text("x")
        dead = tmp_path / f"{TEMP_PREFIX}999999999-bbbbbb-out.jsonl"
        dead.write_text("x")
        other = tmp_path / "out.jsonl"
        other.write_text("x")
        assert remove_stale_temp_files(tmp_path) == 1
        assert alive.exists() and other.exists() and not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_stale_temp_files(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
