"""The run manifest and the ground truth when a run ends otherwise than whole:
interrupted, or a sink that fails; the truth is made from clean events."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime

from tests.faults.reader import check, read_lines, read_manifest
from tests.faults.test_cli_faults import REPO, datagen


def test_an_interrupted_run_records_what_it_wrote(tmp_path):
    out, faults, manifest = (
        tmp_path / "w.jsonl",
        tmp_path / "f.jsonl",
        tmp_path / "m.json",
    )
    command = [
        sys.executable, str(REPO / "generate.py"), "simulate", "web",
        "--count", "5000000", "--seed", "3", "-o", str(out),
        "--faults", "null=0.05,duplicate=0.05", "--faults-manifest", str(faults),
        "--manifest", str(manifest), "--quiet",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE)
    time.sleep(2.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    record = json.loads(manifest.read_text())
    lines, entries = read_lines(out), read_manifest(faults)
    assert record["interrupted"] is True and "failed" not in record
    stream = record["streams"]["web"]
    assert 0 < stream["count"] == len(lines) < 5_000_000
    assert all(entry["index"] < len(lines) for entry in entries)
    counts = check(lines, entries, "web", "marketing_click_id", "event_timestamp")
    assert stream["faulted"] == counts and set(counts) == {"null", "duplicate"}


#: A python: sink that breaks after 2,500 events.
BREAKS = (
    "class Breaks:\n"
    "    def __init__(self):\n"
    "        self.seen = 0\n"
    "    def send(self, event):\n"
    "        self.seen += 1\n"
    "        if self.seen > 2500:\n"
    "            raise RuntimeError('the sink broke')\n"
)


def test_a_failed_sink_still_leaves_a_run_manifest(tmp_path):
    (tmp_path / "breaking.py").write_text(BREAKS)
    manifest = tmp_path / "m.json"
    done = datagen(
        "simulate", "web", "--count", 20_000, "--seed", 1,
        "--sink", "python:breaking:Breaks", "--faults", "null=0.01",
        "--faults-manifest", tmp_path / "f.jsonl", "--manifest", manifest,
        ok=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    record = json.loads(manifest.read_text())
    assert "the sink broke" in record["failed"]
    assert record["interrupted"] is False
    (sink,) = record["sinks"]
    assert sink["name"].startswith("python") and sink["acknowledged"] <= 2500
    assert record["streams"]["web"]["count"] == sink["acknowledged"]
    assert not (tmp_path / "f.jsonl").exists()  # a failed run lists no faults


def test_a_failed_stream_after_a_whole_one_keeps_its_sinks_counts(tmp_path):
    # customer (200) ends whole; order's sink, of the same name, breaks
    (tmp_path / "breaking.py").write_text(BREAKS)
    manifest = tmp_path / "m.json"
    done = datagen(
        "document", "-p", "customer", "-q", 200, "-p", "order", "-q", 5000,
        "--seed", 1, "--sink", "customer=python:breaking:Breaks",
        "--sink", "order=python:breaking:Breaks", "--manifest", manifest,
        ok=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    record = json.loads(manifest.read_text())
    sinks = {sink["stream"]: sink for sink in record["sinks"]}
    assert [sink["stream"] for sink in record["sinks"]] == ["customer", "order"]
    assert sinks["customer"]["acknowledged"] == 200
    assert 0 < sinks["order"]["acknowledged"] <= 2500 < sinks["order"]["sent"]
    assert record["streams"]["customer"]["count"] == 200
    assert record["streams"]["order"]["count"] == sinks["order"]["acknowledged"]


def test_a_failed_run_counts_the_faults_of_confirmed_records_only(tmp_path):
    (tmp_path / "breaking.py").write_text(BREAKS)
    run = ("document", "-p", "order", "-q", 5000, "--seed", 2)
    faults = ("--faults", "null=0.3")
    datagen(*run, *faults, "-o", "whole.jsonl", "--faults-manifest", "f.jsonl",
            cwd=tmp_path)  # fmt: skip
    done = datagen(
        *run, *faults, "--sink", "python:breaking:Breaks", "--manifest", "m.json",
        ok=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    stream = json.loads((tmp_path / "m.json").read_text())["streams"]["order"]
    count = stream["count"]
    assert 0 < count <= 2500
    written = [e for e in read_manifest(tmp_path / "f.jsonl") if e["index"] < count]
    assert stream["faulted"] == {"null": len(written)}
    assert stream["clean"] == count - len(written) > 0


def test_the_ground_truth_is_made_from_clean_events(tmp_path):
    faults = "null=0.05,duplicate=0.05,out_of_order=0.05,late=0.05,malformed=0.05"
    truths = []
    runs = [("clean", []), ("faulted", ["--faults", faults, "--workers", "2"])]
    for name, extra in runs:
        folder = tmp_path / name
        datagen(
            "simulate", "customers_cdc", "--count", 3000, "--seed", 4,
            "-o", tmp_path / f"{name}.jsonl", "--truth", folder, *extra,
        )  # fmt: skip
        (truth,) = folder.iterdir()
        truths.append(truth.read_bytes())
    assert truths[0] == truths[1] and truths[0].count(b"\n") > 10


def test_a_time_ordered_streams_first_and_last_times_are_its_least_and_most(
    tmp_path,
):
    datagen(
        "simulate", "web", "--count", 20_000, "--seed", 5, "--workers", 2,
        "-o", "web.jsonl", "--manifest", "m.json", cwd=tmp_path,
    )  # fmt: skip
    stream = json.loads((tmp_path / "m.json").read_text())["streams"]["web"]
    times = [
        json.loads(line)["event_timestamp"]
        for line in read_lines(tmp_path / "web.jsonl")
    ]
    moments = [datetime.fromisoformat(value) for value in times]
    assert stream["first_event_time"] == times[moments.index(min(moments))]
    assert stream["last_event_time"] == times[moments.index(max(moments))]
    assert stream["count"] == len(times) == 20_000


def test_each_stream_records_the_faults_it_declares(tmp_path):
    providers = tmp_path / "providers"
    shutil.copytree(REPO / "examples" / "related", providers)
    for name, faults in (("customers", "null=0.1"), ("orders", "dangling=0.05")):
        declared = providers / f"{name}.yaml"
        declared.write_text(declared.read_text() + f'faults: "{faults}"\n')
    datagen(
        "document", "--providers-dir", "providers", "-p", "customers", "-q", 100,
        "-p", "orders", "-q", 1000, "--seed", 4, "--format", "jsonl", "-o", "out/",
        "--manifest", "m.json", cwd=tmp_path,
    )  # fmt: skip
    record = json.loads((tmp_path / "m.json").read_text())
    streams = record["streams"]
    assert streams["customers"]["faults_spec"] == "null=0.1"
    assert streams["orders"]["faults_spec"] == "dangling=0.05"
    assert set(streams["orders"]["faulted"]) == {"dangling"}
    assert record["faults"]["spec"] == "null=0.1"  # the first stream's
