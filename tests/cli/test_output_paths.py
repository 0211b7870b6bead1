"""-o follows the extension: out.jsonl, out.csv, out.json (one array) and
out.parquet are one file each; a path without an extension or ending in / is a
folder; --format given as well must agree; devices and stdout work."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.processes import generate_command, run_generate


def _rows(path: Path) -> list[Any]:
    """The records of a file, read by its extension's ordinary reader."""
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    if path.suffix == ".json":
        records = json.loads(path.read_text())
        assert isinstance(records, list)
        return records
    if path.suffix == ".csv":
        with open(path, newline="") as handle:
            return list(csv.DictReader(handle))
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("extension", ["jsonl", "csv", "json", "parquet"])
def test_document_writes_one_file_of_its_extension(invoke, tmp_path, extension):
    target = tmp_path / f"x.{extension}"
    result = invoke("document", "-p", "order", "-q", 5, "--seed", 1, "-o", target)
    assert target.is_file()
    rows = _rows(target)
    assert len(rows) == 5 and all(row["id"] for row in rows)
    assert f"wrote 5 order documents to {target} in " in result.stderr


def test_one_json_array_holds_the_same_documents_as_json_lines(invoke, tmp_path):
    argv = ("document", "-p", "customer", "-q", 7, "--seed", 3)
    invoke(*argv, "-o", tmp_path / "a.json")
    invoke(*argv, "-o", tmp_path / "a.jsonl")
    assert _rows(tmp_path / "a.json") == _rows(tmp_path / "a.jsonl")


def test_an_empty_json_array_is_still_json(tmp_path):
    from datagen.sinks.files import FileSink, JsonArrayEncoder

    sink = FileSink(tmp_path / "none.json", JsonArrayEncoder())
    sink.close()
    assert json.loads((tmp_path / "none.json").read_text()) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_json_array_made_in_worker_blocks_is_one_array(invoke, tmp_path, workers):
    target = tmp_path / "many.json"
    invoke("document", "-p", "cart", "-q", 2500, "--seed", 2, "--workers", workers,
           "-o", target, "--quiet")  # fmt: skip
    assert len(_rows(target)) == 2500


def test_journeys_into_a_jsonl_file_are_a_line_per_journey(invoke, tmp_path):
    target = tmp_path / "x.jsonl"
    invoke("journey", "-p", "ecommerce", "-q", 3, "--seed", 1, "-o", target)
    journeys = _rows(target)
    assert len(journeys) == 3
    assert all(j["journey"] == "ecommerce" and j["documents"] for j in journeys)
    assert not target.is_dir()


def test_simulate_and_replay_write_the_file_named(invoke, tmp_path):
    events = tmp_path / "web.json"
    invoke("simulate", "web", "--actors", 20, "--duration", "2h", "--seed", 1,
           "-o", events)  # fmt: skip
    assert _rows(events) and all("event_type" in event for event in _rows(events))
    invoke("journey", "-p", "starfleet", "-q", 2, "--seed", 1, "-o", tmp_path / "j")
    replayed = tmp_path / "replayed.jsonl"
    result = invoke("replay", tmp_path / "j", "--speed", 0, "-o", replayed)
    assert len(_rows(replayed)) == int(result.stderr.split()[1])


@pytest.mark.parametrize(
    "output, format_, files",
    [
        ("plain", None, ["order_000000.json", "order_000001.json"]),
        ("dotted.jsonl/", None, ["order_000000.json", "order_000001.json"]),
        ("plain", "jsonl", ["order.jsonl"]),
        ("plain", "parquet", ["order.parquet"]),
    ],
)
def test_a_folder_takes_format_or_the_default(invoke, tmp_path, output, format_, files):
    more = ["--format", format_] if format_ else []
    invoke("document", "-p", "order", "-q", 2, "-o", f"{tmp_path}/{output}", *more)
    folder = tmp_path / output.rstrip("/")
    assert folder.is_dir() and sorted(p.name for p in folder.iterdir()) == files


@pytest.mark.parametrize(
    "argv, message",
    [
        (["document", "-p", "order", "-o", "{tmp}/x.csv", "--format", "jsonl"],
         "x.csv is a .csv file but --format says jsonl"),
        (["simulate", "web", "-o", "{tmp}/x.jsonl", "--format", "json"],
         "x.jsonl is a .jsonl file but --format says json"),
        (["document", "-p", "order", "-o", "{tmp}/x.txt"], "'.txt' is no format"),
        (["journey", "-p", "ecommerce", "-o", "{tmp}/x.csv"],
         "this command writes .jsonl, .json files"),
        (["document", "-p", "order", "-o", "-", "--format", "parquet"],
         "--format parquet cannot go to stdout"),
    ],
)  # fmt: skip
def test_a_clash_is_one_line_and_exit_2(invoke, tmp_path, argv, message):
    result = invoke(*[arg.format(tmp=tmp_path) for arg in argv], ok=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and "Usage" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was written


@pytest.mark.parametrize(
    "argv",
    [
        ["document", "-p", "order", "-q", 50],
        ["document", "-p", "order", "-q", 50, "--format", "csv"],
        ["journey", "-p", "starfleet", "-q", 3],
        ["simulate", "banking", "--actors", 5, "--duration", "1h"],
    ],
)
def test_dev_null_takes_the_run(argv):
    result = run_generate(*argv, "--seed", 1, "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and " to /dev/null in " in result.stderr


def test_dev_stdout_is_stdout_in_the_format_asked():
    lines = run_generate("document", "-p", "order", "-q", 4, "--seed", 1,
                         "-o", "/dev/stdout")  # fmt: skip
    assert lines.returncode == 0, lines.stderr
    assert len(lines.stdout.splitlines()) == 4 and "to stdout in" in lines.stderr
    array = subprocess.run(
        generate_command("document", "-p", "order", "-q", 4, "--seed", 1,
                         "-o", "/dev/stdout", "--format", "json", "--quiet"),
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    each = [json.loads(line) for line in lines.stdout.splitlines()]
    assert json.loads(array.stdout) == each
    assert array.stderr == ""
