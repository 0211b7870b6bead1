"""`replay`: journeys' documents in time order on stdout or into a folder."""

from __future__ import annotations

import json
import re
import subprocess
import time
import zipfile

import pytest

from datagen.journeys import JOURNEY_PROVIDERS
from tests.processes import generate_command
from tests.metronome import Metronome

SUMMARY = re.compile(r"^wrote (\d+) documents to (\S+) in \d+\.\d\ds \([\d,]+/s\)$")


def documents_in_time_order(folder):
    """Every document of the journeys in folder, ordered by (offset, journey, step)."""
    rows = []
    for journey_index, zip_path in enumerate(sorted(folder.glob("*.zip"))):
        metadata = json.loads(zip_path.with_suffix(".json").read_text())
        with zipfile.ZipFile(zip_path) as archive:
            for step in metadata["steps"]:
                document = json.loads(archive.read(step["filename"]))
                key = (step["offset_seconds"], journey_index, step["index"])
                rows.append((key, document))
    return [document for _, document in sorted(rows, key=lambda row: row[0])]


def test_replay_prints_the_documents_in_time_order(invoke, make_journeys):
    folder = make_journeys("starfleet", 4)
    result = invoke("replay", folder, "--speed", "0")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == documents_in_time_order(folder)
    match = SUMMARY.match(result.stderr.strip())
    assert match and match.groups() == (str(len(lines)), "stdout")


def test_several_paths_merge_on_one_timeline(invoke, make_journeys, tmp_path):
    starfleet = make_journeys("starfleet", 2, folder=tmp_path / "j" / "a")
    ecommerce = make_journeys("ecommerce", 2, folder=tmp_path / "j" / "b")
    one_zip = next(starfleet.glob("*.zip"))
    result = invoke(
        "replay", "--envelope", "--speed", "0", starfleet, ecommerce, one_zip
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    offsets = [event["offset_seconds"] for event in events]
    assert offsets == sorted(offsets)
    assert {event["journey"] for event in events} == {"starfleet", "ecommerce"}
    steps = sum(
        len(json.loads(path.read_text())["steps"])
        for path in [*starfleet.glob("*.json"), *ecommerce.glob("*.json")]
    )
    extra = len(json.loads(one_zip.with_suffix(".json").read_text())["steps"])
    assert len(events) == steps + extra  # a journey named twice plays twice


def test_envelope_says_where_each_document_comes_from(invoke, make_journeys):
    folder = make_journeys("ecommerce", 1)
    metadata = json.loads(next(folder.glob("*.json")).read_text())
    result = invoke("replay", folder, "--speed", "0", "--envelope")
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["step"] for e in events] == [s["index"] for s in metadata["steps"]]
    for event, step in zip(events, metadata["steps"]):
        assert event["journey"] == "ecommerce"
        assert event["user_id"] == metadata["user_id"]
        assert event["document_type"] == step["document_type"]
        assert event["timestamp"] == step["timestamp"]
        assert event["offset_seconds"] == step["offset_seconds"]
    assert events[0]["document"]["id"] == metadata["user_id"]


def test_replay_into_a_folder_writes_a_file_per_document(invoke, make_journeys, out):
    folder = make_journeys("ecommerce", 2)
    result = invoke("replay", folder, "--speed", "0", "-o", out)
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"replay_{i:06d}.json" for i in range(10)]
    assert [json.loads(f.read_text()) for f in files] == documents_in_time_order(folder)
    assert SUMMARY.match(result.stderr.strip()).groups() == ("10", str(out))
    assert result.stdout == ""


def test_speed_0_replays_days_of_journeys_at_once(invoke, make_journeys):
    folder = make_journeys("starfleet", 20)
    started = time.monotonic()
    result = invoke("replay", folder, "--speed", "0", "--quiet")
    assert time.monotonic() - started < 3
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) > 20 * 4


@pytest.mark.timeout(30)
def test_replay_paces_the_documents_as_they_reach_a_pipe(tmp_path, make_journeys):
    """Two metronome journeys (ticks 30 s apart) at --speed 100: a pair of lines
    every 0.3 s, 1.2 s in all, read from the pipe as they come."""
    with JOURNEY_PROVIDERS.isolated():
        JOURNEY_PROVIDERS.add("metronome", Metronome, origin=__name__)
        folder = make_journeys("metronome", 2)
    process = subprocess.Popen(
        generate_command("replay", folder, "--speed", "100", "--envelope"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    arrivals = []
    assert process.stdout is not None
    for line in process.stdout:
        arrivals.append((time.monotonic(), json.loads(line)))
    assert process.wait() == 0, process.stderr.read() if process.stderr else ""
    ticks = [event["document"]["tick"] for _, event in arrivals]
    assert ticks == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    first = arrivals[0][0]
    for seen, event in arrivals:
        due = event["offset_seconds"] / 100
        assert due - 0.05 <= seen - first <= due + 0.5, (seen - first, due)
    assert arrivals[-1][0] - first >= 1.15
