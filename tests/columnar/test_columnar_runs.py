"""The columnar engine as users meet it: `document` on a declared provider,
through the CLI in a subprocess, read back as files."""

from __future__ import annotations

import csv
import io
import re
import signal
import subprocess
import time
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

import document_providers  # noqa: F401 - registers starfleet_account
from datagen.documents import create_provider
from tests.processes import ROOT, generate_command, run_generate

EXAMPLES = ROOT / "examples"
TWIN = "starfleet_account_yaml"
UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
#: The fields of the Python starfleet_account, which the YAML twin repeats.
FIELDS = list(create_provider("starfleet_account", seed=1).generate())


def document(*argv: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`generate.py document --providers-dir examples ...`, which must succeed."""
    done = run_generate("document", "--providers-dir", EXAMPLES, *argv, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done


def twin_command(*argv: object) -> list[str]:
    """The argv of `generate.py document` of the twin, `argv` after -p."""
    return generate_command("document", "--providers-dir", EXAMPLES, "-p", TWIN, *argv)


def lines_of(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_the_yaml_twin_runs_columnar_by_default_with_mimesis_shapes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "accounts.jsonl"
    done = document("-p", TWIN, "-q", 120_000, "--seed", 7, "-o", out)
    assert "120,000" in done.stderr or "120000" in done.stderr, done.stderr
    documents = lines_of(out)
    assert len(documents) == 120_000
    columnar = tmp_path / "columnar.jsonl"
    document(
        "-p", TWIN, "-q", 120_000, "--seed", 7, "--engine", "columnar", "-o", columnar
    )
    assert columnar.read_bytes() == out.read_bytes()
    assert len({d["id"] for d in documents}) == 120_000
    for doc in documents[:2000]:
        assert list(doc) == FIELDS
        assert UUID.match(doc["id"]), doc
        assert "1935-01-02" <= doc["stardate_of_birth"] <= "2007-01-01"
        assert re.fullmatch(r"[^@\s]+@[a-z0-9.-]+\.[a-z]+", doc["subspace_address"])
        assert re.fullmatch(r"07\d{9}", doc["communicator"]), doc
        assert re.fullmatch(
            r"[A-Z]{2}\d{3}[A-Z]{3}\d[A-Z]\d{3}[A-Z]", doc["federation_citizen_id"]
        )
        assert doc["auth"] == {"logins": []}
        assert doc["surname"] and doc["forename"] and doc["title"]


def test_the_engines_differ_and_row_still_works(tmp_path: Path) -> None:
    row, columnar = tmp_path / "row.jsonl", tmp_path / "columnar.jsonl"
    document("-p", TWIN, "-q", 300, "--seed", 3, "--engine", "row", "-o", row)
    document("-p", TWIN, "-q", 300, "--seed", 3, "-o", columnar)
    assert row.read_bytes() != columnar.read_bytes()
    assert [list(d) for d in lines_of(row)] == [list(d) for d in lines_of(columnar)]


@pytest.mark.parametrize("extension", ["jsonl", "csv", "parquet"])
def test_workers_never_change_the_bytes(tmp_path: Path, extension: str) -> None:
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}.{extension}"
        document(
            "-p", TWIN, "-q", 130_001, "--seed", 11, "--workers", workers, "-o", out
        )
        outputs.append(out)
    if extension == "parquet":  # the footer names the writer, not the data
        one, two = (pq.read_table(path) for path in outputs)
        assert one.equals(two)
        assert one.num_rows == 130_001
    else:
        assert outputs[0].read_bytes() == outputs[1].read_bytes()


def test_parquet_has_a_row_group_per_block_and_the_jsonl_values(tmp_path: Path) -> None:
    parquet, jsonl = tmp_path / "a.parquet", tmp_path / "a.jsonl"
    document("-p", TWIN, "-q", 120_000, "--seed", 5, "-o", parquet)
    document("-p", TWIN, "-q", 120_000, "--seed", 5, "-o", jsonl)
    file = pq.ParquetFile(parquet)
    assert file.metadata.num_rows == 120_000
    assert [file.metadata.row_group(i).num_rows for i in range(3)] == [
        50_000,
        50_000,
        20_000,
    ]
    rows = file.read().to_pylist()
    assert rows == lines_of(jsonl)


def test_csv_rows_are_the_jsonl_documents_flattened(tmp_path: Path) -> None:
    out, jsonl = tmp_path / "a.csv", tmp_path / "a.jsonl"
    document("-p", TWIN, "-q", 2000, "--seed", 5, "-o", out)
    document("-p", TWIN, "-q", 2000, "--seed", 5, "-o", jsonl)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    documents = lines_of(jsonl)
    assert len(rows) == 2000
    assert list(rows[0]) == [*FIELDS[:7], "auth.logins", FIELDS[8]]
    for row, doc in zip(rows, documents):
        assert row["id"] == doc["id"] and row["surname"] == doc["surname"]
        assert row["auth.logins"] == "[]"


def test_columnar_asked_of_a_python_provider_is_one_line(tmp_path: Path) -> None:
    done = run_generate(
        "document", "-p", "starfleet_account", "--engine", "columnar", "-o", tmp_path
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "starfleet_account" in lines[0] and "--engine row" in lines[0]
    template = run_generate(
        "document", "--template", EXAMPLES / "eventer" / "event.jsonnet",
        "--engine", "columnar", "-o", tmp_path,
    )  # fmt: skip
    assert template.returncode == 2, template.stderr
    assert "Jsonnet templates" in template.stderr.strip().splitlines()[-1]


def test_an_expr_field_is_made_per_row_and_explained(tmp_path: Path) -> None:
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "mixed.yaml").write_text(
        "provider: mixed\n"
        "fields:\n"
        "  n: {gen: integer, min: 1, max: 9}\n"
        "  twice: {gen: expr, value: 'n * 2'}\n"
        "  name: {gen: person.first_name}\n"
    )
    explained = run_generate("validate", "--explain", folder / "mixed.yaml")
    assert explained.returncode == 0, explained.stderr
    text = explained.stdout
    assert "engine: row" in text and "1 field per row" in text, text
    assert re.search(r"mixed\.yaml:4: fields\.twice: .*expr", text), text
    out = tmp_path / "mixed.jsonl"
    for engine in ("auto", "columnar"):
        done = run_generate(
            "document",
            "--providers-dir",
            folder,
            "-p",
            "mixed",
            "-q",
            60_000,
            "--seed",
            1,
            "--engine",
            engine,
            "-o",
            out,
        )
        assert done.returncode == 0, done.stderr
        documents = lines_of(out)
        assert len(documents) == 60_000
        assert all(d["twice"] == 2 * d["n"] for d in documents)


def test_validate_explain_says_columnar_for_the_twin() -> None:
    done = run_generate("validate", "--explain", EXAMPLES / "starfleet_account.yaml")
    assert done.returncode == 0, done.stderr
    assert "engine: columnar (every field is vectorised)" in done.stdout


def test_head_closing_the_pipe_is_not_an_error() -> None:
    command = twin_command(
        "-q",
        2_000_000,
        "--seed",
        1,
        "-o",
        "-",
        "--format",
        "jsonl",
    )
    producer = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None
    first = producer.stdout.readline()
    producer.stdout.close()
    _, error = producer.communicate(timeout=60)
    assert orjson.loads(first)["id"]
    assert producer.returncode == 0, error
    assert b"Traceback" not in error


def test_an_interrupted_run_leaves_no_half_file(tmp_path: Path) -> None:
    out = tmp_path / "big.jsonl"
    process = subprocess.Popen(
        twin_command(
            "-q",
            50_000_000,
            "--seed",
            1,
            "-o",
            out,
        ),
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGINT, error
    text = error.decode()
    match = re.search(r"([\d,]+) of 50,000,000", text)
    assert match, text
    written = int(match.group(1).replace(",", ""))
    if out.exists():  # whole documents only, as many as the summary says
        data = out.read_bytes()
        assert data.endswith(b"\n")
        assert data.count(b"\n") == written
    assert [p.name for p in tmp_path.iterdir() if p.name != "big.jsonl"] == []
