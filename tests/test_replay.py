"""Replay as a library: journeys merged on one timeline, paced in real time."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from datagen import ConfigError, JourneyProvider
from datagen.runs.replay import find_journey_zips, load_journey, paced, timeline
from tests.metronome import Metronome


@pytest.fixture
def metronome(isolated_registries) -> type[JourneyProvider]:
    """The Metronome journey, registered for this test only."""
    from datagen.journeys import JOURNEY_PROVIDERS

    JOURNEY_PROVIDERS.add("metronome", Metronome, origin=__name__)
    return Metronome


def test_find_journey_zips_takes_zips_metadata_and_folders(make_journeys, tmp_path):
    folder = make_journeys("starfleet", 3)
    zips = sorted(folder.glob("*.zip"))
    nested = tmp_path / "nested" / "deeper"
    nested.mkdir(parents=True)
    (nested / zips[0].name).write_bytes(zips[0].read_bytes())
    assert find_journey_zips([folder]) == zips
    assert find_journey_zips([zips[1].with_suffix(".json")]) == [zips[1]]
    assert find_journey_zips([zips[2]]) == [zips[2]]
    assert find_journey_zips([tmp_path / "nested"]) == [nested / zips[0].name]


def test_timeline_orders_every_step_of_every_journey_by_offset(make_journeys):
    folder = make_journeys("starfleet", 6)
    zips = find_journey_zips([folder])
    steps = timeline(zips)
    total = sum(len(load_journey(z)["steps"]) for z in zips)
    assert len(steps) == total
    keys = [(s.offset_seconds, s.journey_index, s.step_index) for s in steps]
    assert keys == sorted(keys)
    # The journeys really interleave: not all of one before the next.
    journeys_in_order = [s.journey_index for s in steps]
    assert journeys_in_order != sorted(journeys_in_order)


def test_each_step_reads_its_own_document(make_journeys):
    folder = make_journeys("ecommerce", 2)
    for step in timeline(find_journey_zips([folder])):
        with zipfile.ZipFile(step.zip_path) as archive:
            expected = json.loads(archive.read(step.filename))
        assert step.read() == expected
        envelope = step.envelope(expected)
        assert envelope["document"] == expected
        assert envelope["user_id"] == step.journey["user_id"]
        assert envelope["document_type"] == step.metadata["document_type"]


def test_ties_keep_journey_then_step_order(metronome, make_journeys):
    folder = make_journeys("metronome", 3)
    steps = timeline(find_journey_zips([folder]))
    assert [(s.offset_seconds, s.journey_index) for s in steps[:3]] == [
        (0, 0),
        (0, 1),
        (0, 2),
    ]
    assert [s.read()["tick"] for s in steps] == [t for t in range(5) for _ in range(3)]


def test_paced_emits_each_step_when_its_time_comes(metronome, make_journeys):
    steps = timeline(find_journey_zips([make_journeys("metronome", 1)]))
    speed = 60.0  # 30 s apart -> 0.5 s apart; the run takes 2 s
    arrivals: list[tuple[float, Any]] = []
    started = time.monotonic()
    for step in paced(steps, speed):
        arrivals.append((time.monotonic() - started, step))
    for elapsed, step in arrivals:
        due = step.offset_seconds / speed
        assert due - 0.02 <= elapsed <= due + 0.4, (elapsed, due)
    assert arrivals[-1][0] >= 2.0 - 0.02


def test_paced_at_speed_0_does_not_wait(make_journeys):
    steps = timeline(find_journey_zips([make_journeys("starfleet", 5)]))
    assert steps[-1].offset_seconds > 3600  # hours of journey time
    started = time.monotonic()
    assert list(paced(steps, 0)) == steps
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("speed", [-1, -0.001, float("nan")])
def test_negative_or_nan_speed_is_refused(speed):
    with pytest.raises(ConfigError, match="--speed must be 0 or more"):
        list(paced([], speed))


def test_load_journey_checks_the_zip_against_the_metadata(make_journeys):
    zip_path = next(make_journeys("starfleet", 1).glob("*.zip"))
    metadata = load_journey(zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == [s["filename"] for s in metadata["steps"]]
    broken = dict(metadata, steps=[*metadata["steps"], {**metadata["steps"][0]}])
    broken["steps"][-1]["filename"] = "999_missing.json"
    zip_path.with_suffix(".json").write_text(json.dumps(broken))
    with pytest.raises(ConfigError, match=r"is corrupt: 999_missing\.json"):
        load_journey(zip_path)


def test_metadata_of_the_wrong_shape_is_refused(tmp_path: Path, make_journeys):
    zip_path = next(make_journeys("starfleet", 1).glob("*.zip"))
    for wrong in ("[]", '{"steps": null}', '{"steps": [1]}', '{"steps": [{}]}'):
        zip_path.with_suffix(".json").write_text(wrong)
        with pytest.raises(ConfigError, match="is not journey metadata"):
            load_journey(zip_path)
