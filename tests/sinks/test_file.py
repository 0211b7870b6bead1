"""The file and stdout sinks chosen by URL: `file:out.jsonl|csv|json`, `stdout`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from datagen.errors import ConfigError
from datagen.sinks.files import FileSink, FolderSink
from datagen.sinks.parquet import ParquetSink
from datagen.sinks.spec import open_sink
from datagen.sinks.stdout import StdoutSink
from tests.sinks.conformance import check_sink_delivers, sample_events


def _json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _json_documents(path: Path) -> list[dict[str, Any]]:
    """One JSON array, as `file:x.json` (and `-o x.json`) writes it."""
    documents = json.loads(path.read_text())
    assert isinstance(documents, list)
    return documents


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _same_document(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


def _same_csv_row(sent: dict[str, Any], row: dict[str, Any]) -> None:
    assert row["address.city"] == sent["address"]["city"]
    assert float(row["amount"]) == sent["amount"]
    assert row["active"] == ("true" if sent["active"] else "false")
    assert json.loads(row["tags"]) == sent["tags"]


@pytest.mark.parametrize(
    "name, read, compare",
    [
        ("out.jsonl", _json_lines, _same_document),
        ("out.json", _json_documents, _same_document),
        ("out.csv", _csv_rows, _same_csv_row),
    ],
)
def test_conformance(tmp_path: Path, name: str, read: Any, compare: Any) -> None:
    path = tmp_path / "nested" / "folder" / name
    check_sink_delivers(
        lambda: open_sink(f"file:{path}"), lambda: read(path), compare=compare
    )


def test_relative_and_absolute_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_sink("file:rel/out.jsonl")
    absolute = open_sink(f"file://{tmp_path}/abs/out.JSONL")
    assert isinstance(relative, FileSink) and isinstance(absolute, FileSink)
    for sink in (relative, absolute):
        sink.send_many(sample_events(3))
        sink.close()
    assert len(_json_lines(tmp_path / "rel" / "out.jsonl")) == 3
    assert len(_json_lines(tmp_path / "abs" / "out.JSONL")) == 3
    assert relative.describe() == "file:rel/out.jsonl"


def test_parquet_extension_gives_the_parquet_sink(tmp_path: Path) -> None:
    sink = open_sink(f"file:{tmp_path}/x.parquet?row_group=123")
    assert isinstance(sink, ParquetSink) and sink.row_group == 123
    sink.close()


@pytest.mark.parametrize(
    "spec, message",
    [
        ("file:out.txt", "unknown extension '.txt'"),
        ("file:", "names no file"),
    ],
)
def test_bad_file_specs(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_sink(spec)


def test_a_file_where_a_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        open_sink(f"file:{tmp_path}/plain/out.jsonl")


def test_stdout_sink_writes_json_lines(capsysbinary: pytest.CaptureFixture) -> None:
    events = sample_events(4)
    sink = open_sink("stdout")
    assert isinstance(sink, StdoutSink)
    sink.send(events[0])
    sink.send_many(events[1:])
    delivery = sink.close()
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert [json.loads(line) for line in lines] == events
    assert (delivery.sent, delivery.acknowledged) == (4, 4)


def test_events_are_acknowledged_when_the_file_is_in_place(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    sink = open_sink(f"file:{target}")
    sink.send_many(sample_events(3))
    assert (sink.delivery.sent, sink.delivery.acknowledged) == (3, 0)
    assert not target.exists()
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (3, 3, 0)
    assert len(_json_lines(target)) == 3


def test_abort_keeps_the_old_file_and_counts_what_was_sent_as_failed(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text('{"old": true}\n')
    sink = open_sink(f"file:{target}")
    sink.send_many(sample_events(4))
    delivery = sink.abort()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (4, 0, 4)
    assert not delivery.complete
    assert target.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_a_folder_sink_may_be_made_before_its_folder(tmp_path: Path) -> None:
    """A library caller may create the folder after the sink (the sink notes
    the files an earlier run left there when it is made)."""
    folder = tmp_path / "later"
    sink = FolderSink(folder, "x")
    folder.mkdir()
    sink.send_many(sample_events(2))
    assert sink.close().acknowledged == 2
    assert sorted(p.name for p in folder.iterdir()) == [
        "x_000000.json",
        "x_000001.json",
    ]


@pytest.mark.parametrize("extension", ["jsonl", "csv", "json"])
def test_an_option_on_a_plain_file_is_refused(tmp_path: Path, extension: str) -> None:
    """Issue 9, case 16: `file:x.jsonl?unknown=1` was silently ignored."""
    with pytest.raises(ConfigError, match=r"unknown option 'unknown' \(valid: none\)"):
        open_sink(f"file:{tmp_path}/x.{extension}?unknown=1")
    assert list(tmp_path.iterdir()) == []
