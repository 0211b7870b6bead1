"""--sink and --route on every generating command: events reach each sink, the
run reports per sink, and an undelivered event makes the exit code non-zero."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen.cli import cli
from tests.cli import sink_fixtures

COLLECT = "python:tests.cli.sink_fixtures:Collecting?name="


@pytest.fixture(autouse=True)
def _fresh_collections() -> None:
    sink_fixtures.RECEIVED.clear()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_document_sinks_get_what_the_jsonl_file_gets(runner, tmp_path, seed):
    plain = tmp_path / "plain.jsonl"
    runner.invoke(
        cli,
        ["document", "-p", "order", "-q", "1500", "--format", "jsonl"]
        + ["-o", str(plain), "--seed", str(seed)],
        catch_exceptions=False,
    )
    streamed = tmp_path / "streamed.jsonl"
    result = runner.invoke(
        cli,
        ["document", "-p", "order", "-q", "1500", "--seed", str(seed), "--workers"]
        + ["2", "--sink", f"file:{streamed}", "--sink", COLLECT + "all"],
    )
    assert result.exit_code == 0, result.output
    assert streamed.read_bytes() == plain.read_bytes()
    assert sink_fixtures.RECEIVED["all"] == _lines(plain)
    assert "acknowledged 1500, failed 0" in result.stderr
    assert not (Path.cwd() / "output" / "documents" / "order_000000.json").exists()


def test_routes_split_one_stream_by_field(runner, tmp_path, seed):
    result = runner.invoke(
        cli,
        ["document", "-p", "order", "-q", "400", "--seed", str(seed)]
        + ["--route", f"status=paid={COLLECT}paid"]
        + ["--route", f"status=cancelled={COLLECT}cancelled"],
    )
    assert result.exit_code == 0, result.output
    paid, cancelled = (sink_fixtures.RECEIVED[n] for n in ("paid", "cancelled"))
    assert paid and cancelled
    assert {order["status"] for order in paid} == {"paid"}
    assert {order["status"] for order in cancelled} == {"cancelled"}
    assert f"sent {len(paid)}, acknowledged {len(paid)}" in result.stderr


def test_output_path_given_with_a_sink_is_one_more_sink(runner, tmp_path, seed):
    folder = tmp_path / "docs"
    result = runner.invoke(
        cli,
        ["document", "-p", "customer", "-q", "3", "--seed", str(seed)]
        + ["-o", str(folder), "--sink", COLLECT + "c"],
    )
    assert result.exit_code == 0, result.output
    files = sorted(folder.glob("customer_*.json"))
    assert [json.loads(f.read_text()) for f in files] == sink_fixtures.RECEIVED["c"]


def test_a_failing_sink_is_reported_and_exits_non_zero(runner, tmp_path, seed):
    good = tmp_path / "good.jsonl"
    result = runner.invoke(
        cli,
        ["document", "-p", "customer", "-q", "50", "--seed", str(seed)]
        + ["--sink", f"file:{good}"]
        + ["--sink", "python:tests.cli.sink_fixtures:Failing?after=10"],
    )
    assert result.exit_code == 1
    assert "connection reset by peer" in result.stderr
    assert "sent 50, acknowledged 10, failed 40" in result.stderr
    assert len(good.read_text().splitlines()) == 50
    assert "Traceback" not in result.output


def test_journey_with_a_sink_streams_steps_in_time_order(runner, tmp_path, seed):
    result = runner.invoke(
        cli,
        ["journey", "-p", "ecommerce", "-q", "20", "--seed", str(seed)]
        + ["--sink", COLLECT + "steps", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    steps = sink_fixtures.RECEIVED["steps"]
    assert len(steps) == 20 * 5
    assert [s["timestamp"] for s in steps] == sorted(s["timestamp"] for s in steps)
    assert len({s["user_id"] for s in steps}) == 20
    zipped = tmp_path / "zips"
    runner.invoke(
        cli,
        ["journey", "-p", "ecommerce", "-q", "20", "--seed", str(seed), "-o"]
        + [str(zipped)],
    )
    users = {json.loads(p.read_text())["user_id"] for p in zipped.glob("*.json")}
    assert users == {s["user_id"] for s in steps}


def test_replay_and_simulate_take_sinks_too(runner, seed, make_journeys):
    journeys = make_journeys("starfleet", 4)
    result = runner.invoke(
        cli, ["replay", str(journeys), "--speed", "0", "--sink", COLLECT + "r"]
    )
    assert result.exit_code == 0, result.output
    expected = runner.invoke(cli, ["replay", str(journeys), "--speed", "0"])
    assert sink_fixtures.RECEIVED["r"] == [
        json.loads(line) for line in expected.stdout.splitlines()
    ]
    result = runner.invoke(
        cli,
        ["simulate", "banking", "--actors", "20", "--duration", "2h", "--seed"]
        + [str(seed), "--route", f"trigger=login={COLLECT}logins"],
    )
    assert result.exit_code == 0, result.output
    logins = sink_fixtures.RECEIVED["logins"]
    assert logins and {e["trigger"] for e in logins} == {"login"}


def test_secrets_in_sink_specs_never_reach_the_output(runner):
    result = runner.invoke(
        cli,
        ["document", "-p", "customer", "--sink"]
        + ["python:tests.cli.sink_fixtures:Missing?token=hunter2"],
    )
    assert result.exit_code != 0
    assert "hunter2" not in result.output
