"""`journey`: a zip and a metadata file per journey, or JSON lines on stdout."""

from __future__ import annotations

import json
import re
import zipfile

from datagen.documents import LOCALES

SUMMARY = re.compile(
    r"^wrote (\d+) (\w+) journeys to (\S+) in \d+\.\d\ds \([\d,]+/s\), seed (\d+)$"
)
STEM = re.compile(
    r"^(?P<provider>\w+)_(?P<user_id>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
    r"[89ab][0-9a-f]{3}-[0-9a-f]{12})$"
)


def test_the_issues_journey_commands(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke("journey", "--provider", "starfleet")
    default = tmp_path / "output" / "journeys"
    assert len(list(default.glob("starfleet_*.zip"))) == 1
    assert len(list(default.glob("starfleet_*.json"))) == 1

    result = invoke(
        "journey",
        "--output_path",
        "./my_new_directory/output",
        "--journey_provider",
        "starfleet",
        "--quantity",
        "10",
    )
    folder = tmp_path / "my_new_directory" / "output"
    zips = sorted(folder.glob("*.zip"))
    assert len(zips) == 10
    assert sorted(folder.glob("*.json")) == [z.with_suffix(".json") for z in zips]
    match = SUMMARY.match(result.stderr.strip())
    assert match and match.groups()[:3] == (
        "10",
        "starfleet",
        "my_new_directory/output",
    )


def test_file_names_are_provider_and_user_id(invoke, out, seed):
    invoke("journey", "-p", "ecommerce", "-q", 4, "-o", out, "--seed", seed)
    for zip_path in out.glob("*.zip"):
        match = STEM.match(zip_path.stem)
        assert match and match["provider"] == "ecommerce"
        metadata = json.loads(zip_path.with_suffix(".json").read_text())
        assert metadata["user_id"] == match["user_id"]
        assert metadata["journey"] == "ecommerce"
        with zipfile.ZipFile(zip_path) as archive:
            assert archive.namelist() == [s["filename"] for s in metadata["steps"]]


def test_stdout_gets_one_line_per_journey_with_its_documents(invoke, seed):
    result = invoke("journey", "-p", "starfleet", "-q", 3, "-o", "-", "--seed", seed)
    journeys = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(journeys) == 3
    for journey in journeys:
        assert len(journey["documents"]) == len(journey["steps"])
        assert journey["documents"][0]["id"] == journey["user_id"]
    assert SUMMARY.match(result.stderr.strip()).group(3) == "stdout"


def test_stdout_lines_match_the_files(invoke, out, seed):
    lines = invoke("journey", "-p", "ecommerce", "-q", 3, "-o", "-", "--seed", seed)
    invoke("journey", "-p", "ecommerce", "-q", 3, "-o", out, "--seed", seed)
    for line in lines.stdout.splitlines():
        record = json.loads(line)
        stem = out / f"ecommerce_{record['user_id']}"
        metadata = json.loads(stem.with_suffix(".json").read_text())
        assert metadata == {k: v for k, v in record.items() if k != "documents"}
        with zipfile.ZipFile(stem.with_suffix(".zip")) as archive:
            documents = [json.loads(archive.read(n)) for n in archive.namelist()]
        assert documents == record["documents"]


def test_quiet_drawn_seed_and_locale(invoke, out):
    quiet = invoke("journey", "-p", "starfleet", "-o", out / "q", "--quiet")
    assert quiet.stderr == "" and len(list((out / "q").glob("*.zip"))) == 1

    drawn = invoke("journey", "-p", "starfleet", "-q", 2, "-o", "-")
    seed = SUMMARY.match(drawn.stderr.strip()).group(4)
    again = invoke("journey", "-p", "starfleet", "-q", 2, "-o", "-", "--seed", seed)
    assert again.stdout_bytes == drawn.stdout_bytes

    assert "de" in LOCALES
    german = invoke(
        "journey", "-p", "starfleet", "-o", "-", "--seed", seed, "--locale", "de"
    )
    german_journey = json.loads(german.stdout)
    english_journey = json.loads(again.stdout.splitlines()[0])
    # The locale changes the documents' words, not the journey's shape or ids.
    assert german_journey["user_id"] == english_journey["user_id"]
    assert german_journey["steps"] == english_journey["steps"]
    assert german_journey["documents"] != english_journey["documents"]


def test_start_sets_when_journeys_begin(invoke, seed):
    result = invoke(
        "journey",
        *("-p", "starfleet", "-q", 5, "-o", "-", "--seed", seed),
        *("--start", "2030-05-01T00:00:00Z"),
    )
    for line in result.stdout.splitlines():
        started = json.loads(line)["started_at"]
        assert started.startswith(("2030-05-01T", "2030-05-02T")), started
