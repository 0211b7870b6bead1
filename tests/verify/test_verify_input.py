"""verify's bad input: one line naming the file, field or value, exit 2."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from datagen.cli import cli

GOOD = '{"id": 1, "plan": "free"}\n{"id": 2, "plan": "pro"}\n'


@pytest.mark.parametrize(
    "files, argv, message",
    [
        ({}, ["nope.jsonl"], "verify: no such file: nope.jsonl"),
        ({"a.txt": "x"}, ["a.txt"], "verify: a.txt: unknown format '.txt'"),
        ({}, [], "name at least one output"),
        (
            {"a.jsonl": GOOD, "b/a.jsonl": GOOD},
            ["a.jsonl", "b/a.jsonl"],
            "two outputs are stream 'a': name them NAME=PATH",
        ),
        ({"a.jsonl": GOOD}, ["a.jsonl", "--ref", "a.id"], "--ref 'a.id': expected"),
        ({"a.jsonl": GOOD}, ["a.jsonl", "--level", "2"], "--level must be between"),
        (
            {"a.jsonl": GOOD},
            ["a.jsonl", "--ref", "b.id=a.id"],
            "--ref 'b.id=a.id': no stream 'b' among the outputs (a)",
        ),
        (
            {"a.jsonl": GOOD, "m.json": json.dumps({"streams": {"a": {}, "p": {}}})},
            ["a.jsonl", "--manifest", "m.json", "--ref", "a.id=c.id"],
            "--ref 'a.id=c.id': no stream 'c' among the outputs "
            "and the manifest's streams (a, p)",
        ),
        (
            {"a.jsonl": GOOD, "f.jsonl": '{"index": 0, "fault": "nope"}\n'},
            ["a.jsonl", "--faults-manifest", "f.jsonl"],
            "f.jsonl:1: fault 'nope' is not one of null, wrong_type",
        ),
        (
            {"a.jsonl": GOOD, "f.jsonl": '{"index": -1}\n'},
            ["a.jsonl", "--faults-manifest", "f.jsonl"],
            "f.jsonl:1: index must be a whole number >= 0, not -1",
        ),
        (
            {"a.jsonl": GOOD, "m.json": "[1]"},
            ["a.jsonl", "--manifest", "m.json"],
            "--manifest m.json: not a JSON object",
        ),
        (
            {"a.jsonl": GOOD, "m.json": json.dumps({"streams": {"a": {"count": -1}}})},
            ["a.jsonl", "--manifest", "m.json"],
            "--manifest m.json: streams.a.count must be a count, not -1",
        ),
        (
            {
                "a.jsonl": GOOD,
                "m.json": json.dumps(
                    {"streams": {"a": {"distributions": {"plan": {"free": "x"}}}}}
                ),
            },
            ["a.jsonl", "--manifest", "m.json"],
            "streams.a: distributions.plan: weights must be numbers",
        ),
        (
            {"a.jsonl": GOOD, "m.json": json.dumps({"faults": {"spec": "nul=1"}})},
            ["a.jsonl", "--manifest", "m.json"],
            "unknown fault kind 'nul'",
        ),
        ({"a.jsonl": GOOD}, ["a.jsonl", "--against", "nope"], "unknown simulation or"),
        ({"a.jsonl": GOOD}, ["a.jsonl", "--lag", "soon"], "'soon' is not a duration"),
        (
            {},
            ["sqlite:///nowhere/x.db?table=t"],
            "verify: sqlite:///nowhere/x.db?table=t: no such database file",
        ),
        ({}, ["postgresql://127.0.0.1/test"], "needs ?table=NAME"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = CliRunner().invoke(cli, ["verify", *argv])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_missing_table_is_named_and_nothing_is_made(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    url = f"sqlite:///{database}?table=orders"
    result = CliRunner().invoke(cli, ["verify", url])
    assert result.exit_code == 2 and not database.exists()
    database.write_bytes(b"")
    result = CliRunner().invoke(cli, ["verify", url])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("no table 'orders'")


def test_a_key_column_the_table_lacks_is_named(tmp_path: Path) -> None:
    """&key= naming no column of the table: one line, not a KeyError."""
    database = tmp_path / "x.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER, total INTEGER)")
        connection.execute("INSERT INTO orders VALUES (1, 10)")
    url = f"sqlite:///{database}?table=orders&key=nope"
    result = CliRunner().invoke(cli, ["verify", url])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().endswith(
        "key column 'nope': no such column in 'orders'"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_an_output_is_named_as_a_sink_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NAME=PATH takes the names `document --sink NAME=SPEC` takes (a leading
    digit, a dash); a file whose own name holds '=' is read as that file."""
    monkeypatch.chdir(tmp_path)
    Path("o.jsonl").write_text(GOOD)
    Path("x=o.jsonl").write_text(GOOD + GOOD.replace("1", "3").replace("2", "4"))
    result = CliRunner().invoke(
        cli, ["verify", "2024-orders=o.jsonl", "x=o.jsonl", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["streams"] == {"2024-orders": 2, "x=o": 4}
