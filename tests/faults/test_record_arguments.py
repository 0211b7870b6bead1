"""The run record's arguments are those the command was invoked with, not
the process's (a test runner's, a program calling cli.main([...]))."""

from __future__ import annotations

import json

from click.testing import CliRunner

from datagen.cli import cli


def test_the_record_names_the_invoked_arguments(tmp_path):
    arguments = [
        "document", "-p", "customer", "-q", "3", "--seed", "1",
        "-o", str(tmp_path / "out.jsonl"), "--manifest", str(tmp_path / "m.json"),
    ]  # fmt: skip
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "m.json").read_text())
    assert record["arguments"] == arguments and record["command"] == "document"
