"""State machines and web sessions through `simulate`: the CLI runs them unchanged."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from datagen.cli import cli


def simulate(*argv: str):
    return CliRunner().invoke(cli, ["simulate", *argv, "--quiet"])


@pytest.mark.parametrize("name", ["banking", "web"])
def test_same_bytes_with_one_or_two_workers(tmp_path, name):
    outputs = []
    for workers in ("1", "2"):
        path = tmp_path / f"{name}-{workers}.jsonl"
        result = simulate(
            name, "--actors", "300", "--duration", "1d", "--seed", "4",
            "--workers", workers, "-o", str(path),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 1000


def test_banking_ticks_are_minutes(tmp_path):
    path = tmp_path / "banking.jsonl"
    result = simulate(
        "banking", "--actors", "200", "--ticks", "120", "--seed", "2", "-o", str(path)
    )
    assert result.exit_code == 0, result.output
    stamps = [orjson.loads(line)["timestamp"] for line in path.read_bytes().split()]
    assert stamps and stamps == sorted(stamps)
    assert all(s.endswith(":00.000Z") for s in stamps) and max(stamps) < "2025-01-01T02"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["banking", "--config", "x.yml"], "banking: --config x.yml is not used"),
        (["web", "--config", "bad.yml"], "out of page 'home' sum to 0.5, not 1"),
        (["web", "--config", "absent.yml"], "absent.yml"),
    ],
)
def test_bad_configuration_is_one_line(tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yml").write_text("pages: {home: {session_end: 0.5}}\n")
    result = simulate(*argv)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
