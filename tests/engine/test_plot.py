"""`plot`: events per hour of day (or weekday) from a JSON-lines output."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
from click.testing import CliRunner

import datagen.engine.simulations  # noqa: F401 - registers `web`
from datagen.pictures.charts import count_events
from datagen.cli import cli
from datagen.engine.actors import make_actor
from datagen.engine.model import SIMULATIONS, Window
from datagen.engine.runner import run_actors

START = 1_735_689_600.0


@pytest.fixture(scope="module")
def web_output(tmp_path_factory):
    """Two days of the web simulation as JSON lines, and its events."""
    window = Window(START, START + 2 * 86_400)
    actors = (make_actor(5, index) for index in range(100))
    events = [k[3] for k in run_actors(SIMULATIONS.get("web")(), actors, window)]
    path = tmp_path_factory.mktemp("plot") / "web.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path, events


def test_counts_per_hour_are_those_of_the_file(web_output):
    path, events = web_output
    counts = count_events(path, "hour")
    hours = Counter(int(e["event_timestamp"][11:13]) for e in events)
    assert counts.counts == [hours[h] for h in range(24)]
    assert counts.field == "event_timestamp" and counts.total == len(events)


def test_counts_per_weekday(web_output):
    path, events = web_output
    counts = count_events(path, "weekday")
    # 2025-01-01 was a Wednesday; two days of events fall on Wed and Thu.
    assert counts.counts[2] + counts.counts[3] == len(events)
    assert counts.counts[2] > 0 and counts.counts[3] > 0


def test_plot_writes_a_png_chart(web_output, tmp_path):
    path, events = web_output
    chart = tmp_path / "events_per_hour.png"
    result = CliRunner().invoke(
        cli, ["plot", str(path), "--by", "hour", "-o", str(chart)]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(events):,} events" in result.output
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 10_000


def test_another_time_field_and_other_offsets(tmp_path):
    path = tmp_path / "own.jsonl"
    lines = [
        {"at": "2025-03-01T23:30:00+02:00"},
        {"at": "2025-03-01T23:59:59Z"},
        {"at": "2025-03-02 07:00:00"},
    ]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    counts = count_events(path, "hour", "at")
    assert counts.counts[23] == 2 and counts.counts[7] == 1


@pytest.mark.parametrize(
    "content, argv, message",
    [
        (b"not json\n", [], "events.jsonl:1: not a JSON line"),
        (b'{"a": 1}\n', [], "events.jsonl:1: no time field"),
        (b'{"timestamp": "noon"}\n', [], "'noon' is not an ISO 8601 time"),
        (b'{"timestamp": "2025-01-01T00:00:00Z"}\n', ["-o", "x.gif"], "'.gif'"),
        (b'{"timestamp": "2025-01-01T00:00:00Z"}\n', ["--field", "t"], "no field 't'"),
    ],
)
def test_bad_input_gets_one_line(tmp_path, monkeypatch, content, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "events.jsonl").write_bytes(content)
    result = CliRunner().invoke(cli, ["plot", "events.jsonl", *argv])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["plot", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "does not exist" in result.output
