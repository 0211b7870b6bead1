"""`document`: argv in, documents on disk or stdout, a summary on stderr."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from datagen.encoders import flatten

SUMMARY = re.compile(
    r"^wrote (?P<count>[\d,]+) (?P<what>\w+) documents to (?P<target>\S+) in "
    r"\d+\.\d\ds \([\d,]+/s\), seed (?P<seed>\d+)$"
)


def summary_of(stderr: str) -> re.Match[str]:
    """The one summary line of a run's stderr, parsed."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    return match


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_issues_first_command_writes_one_document_under_output(
    invoke, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = invoke("document", "--provider", "starfleet_application")
    files = sorted((tmp_path / "output" / "documents").iterdir())
    assert [f.name for f in files] == ["starfleet_application_000000.json"]
    document = json.loads(files[0].read_text())
    assert document["status"] == "submitted"
    assert summary_of(result.stderr)["target"] == "output/documents"
    assert result.stdout == ""


def test_the_original_spellings_work(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke(
        "document",
        "--output_path",
        "./my_custom_directory/output",
        "--document_provider",
        "starfleet_application",
        "--quantity",
        "10",
    )
    folder = tmp_path / "my_custom_directory" / "output"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"starfleet_application_{i:06d}.json" for i in range(10)]
    ids = {json.loads((folder / name).read_text())["id"] for name in names}
    assert len(ids) == 10


def test_json_format_is_one_pretty_file_per_document(invoke, out, seed):
    result = invoke("document", "-p", "customer", "-q", 3, "-o", out, "--seed", seed)
    files = sorted(out.iterdir())
    assert len(files) == 3
    for path in files:
        text = path.read_text()
        assert text.startswith('{\n  "id": ') and text.endswith("}\n")
        assert set(json.loads(text)) >= {"id", "email", "address"}
    summary = summary_of(result.stderr)
    assert (summary["count"], summary["what"]) == ("3", "customer")
    assert summary["target"] == str(out) and summary["seed"] == str(seed)


def test_jsonl_into_a_folder_or_a_named_file(invoke, out, seed):
    invoke("document", "-p", "order", "-q", 5, "--format", "jsonl", "-o", out)
    assert [path.name for path in out.iterdir()] == ["order.jsonl"]
    assert len(read_lines(out / "order.jsonl")) == 5

    named = out / "sub" / "orders.jsonl"
    result = invoke(
        "document", "-p", "order", "-q", 4, "--format", "jsonl", "-o", named
    )
    assert len(read_lines(named)) == 4
    assert summary_of(result.stderr)["target"] == str(named)


def test_jsonl_named_like_a_file_but_an_existing_folder_gets_a_file_inside(invoke, out):
    folder = out / "looks_like.jsonl"
    folder.mkdir(parents=True)
    invoke("document", "-p", "order", "-q", 2, "--format", "jsonl", "-o", folder)
    assert len(read_lines(folder / "order.jsonl")) == 2


def test_csv_flattens_nested_fields_into_dotted_columns(invoke, out, seed):
    common = ["-p", "customer", "-q", 20, "--seed", seed]
    invoke("document", *common, "--format", "csv", "-o", out / "c.csv")
    invoke("document", *common, "--format", "jsonl", "-o", out / "c.jsonl")
    rows = list(csv.DictReader(io.StringIO((out / "c.csv").read_text())))
    documents = read_lines(out / "c.jsonl")
    assert len(rows) == 20
    assert "address.city" in rows[0] and "address" not in rows[0]
    for row, document in zip(rows, documents):
        flat = flatten(document)
        assert list(row) == list(flat)
        for column, value in flat.items():
            expected = {True: "true", False: "false"}.get(value, str(value))
            assert row[column] == expected, column


def test_csv_keeps_lists_as_json_text(invoke, out, seed):
    invoke("document", "-p", "order", "-q", 5, "--format", "csv", "-o", out)
    rows = list(csv.DictReader((out / "order.csv").open()))
    for row in rows:
        items = json.loads(row["items"])
        assert items and all("sku" in item for item in items)


def test_stdout_gets_json_lines_and_stderr_the_summary(invoke, out, seed):
    common = ["-p", "starfleet_account", "-q", 7, "--seed", seed]
    result = invoke("document", *common, "-o", "-")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 7
    assert summary_of(result.stderr)["target"] == "stdout"
    invoke("document", *common, "--format", "jsonl", "-o", out)
    assert result.stdout_bytes == (out / "starfleet_account.jsonl").read_bytes()


def test_quiet_prints_nothing_but_writes(invoke, out):
    result = invoke("document", "-p", "cart", "-q", 2, "-o", out, "--quiet")
    assert result.stderr == "" and result.stdout == ""
    assert len(list(out.iterdir())) == 2


def test_the_drawn_seed_is_printed_and_repeats_the_run(invoke, out):
    first = invoke("document", "-p", "payment", "-q", 5, "-o", "-")
    second = invoke("document", "-p", "payment", "-q", 5, "-o", "-")
    seed_1, seed_2 = summary_of(first.stderr)["seed"], summary_of(second.stderr)["seed"]
    assert seed_1 != seed_2 and first.stdout != second.stdout
    again = invoke("document", "-p", "payment", "-q", 5, "-o", "-", "--seed", seed_1)
    assert again.stdout_bytes == first.stdout_bytes


def test_locale_changes_the_language(invoke, seed):
    russian = invoke("document", "-p", "customer", "-q", 5, "-o", "-", "--locale", "ru")
    english = invoke("document", "-p", "customer", "-q", 5, "-o", "-")
    cyrillic = re.compile(r"^[А-Яа-яЁё -]+$")
    for line in russian.stdout.splitlines():
        assert cyrillic.match(json.loads(line)["last_name"]), line
    for line in english.stdout.splitlines():
        assert not cyrillic.match(json.loads(line)["last_name"]), line


@pytest.mark.parametrize("start", ["2031-03-15T12:00:00Z", "2019-07-01T00:00:00"])
def test_start_moves_every_timestamp(invoke, seed, start):
    moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
    moment = moment.replace(tzinfo=moment.tzinfo or timezone.utc)
    result = invoke("document", "-p", "customer", "-q", 30, "-o", "-", "--start", start)
    for line in result.stdout.splitlines():
        document = json.loads(line)
        created = datetime.fromisoformat(document["created_at"].replace("Z", "+00:00"))
        assert moment - timedelta(days=365) <= created <= moment
        born = date.fromisoformat(document["date_of_birth"])
        assert born <= moment.date().replace(year=moment.year - 18)
