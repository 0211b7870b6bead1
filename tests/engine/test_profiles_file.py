"""--profiles is input: a run never rewrites it, so the same seed and the same
file give the same events; changes go to --profiles-out (issue 9, case 10).

Found as: `simulate --profiles p.json` twice with the same seed gave different
output, because the first run wrote its job changes back into p.json.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]


def generate(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A real `python generate.py` run (tmp_path importable for python: sinks)."""
    path = os.pathsep.join([str(ROOT), str(cwd or ROOT)])
    return subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
    )


def customers(
    people: Path, out: Path, *more: str | Path
) -> subprocess.CompletedProcess:
    """customers, 30 actors over 6 h (every one changes job at least once)."""
    return generate(
        "simulate", "customers", "--actors", "30", "--duration", "6h", "--seed", "5",
        "--profiles", people, "-o", out, *more,
    )  # fmt: skip


@pytest.mark.parametrize("workers", ["1", "2"])
def test_same_seed_same_profiles_file_same_output(tmp_path: Path, workers: str) -> None:
    people = tmp_path / "people.json"
    first = customers(people, tmp_path / "0.jsonl", "--workers", workers)
    assert first.returncode == 0, first.stderr
    created = people.read_bytes()  # this run made the file: it holds its end state
    runs = []
    for n in (1, 2):
        done = customers(people, tmp_path / f"{n}.jsonl", "--workers", workers)
        assert done.returncode == 0, done.stderr
        assert people.read_bytes() == created, "the input file was rewritten"
        runs.append((tmp_path / f"{n}.jsonl").read_bytes())
    assert runs[0] == runs[1]
    assert b'"job_change"' in runs[0]


def test_profiles_out_gets_the_changes_and_the_input_stays(tmp_path: Path) -> None:
    people, changed = tmp_path / "people.json", tmp_path / "changed.json"
    assert customers(people, tmp_path / "0.jsonl").returncode == 0
    before = people.read_bytes()
    done = customers(people, tmp_path / "1.jsonl", "--profiles-out", changed)
    assert done.returncode == 0, done.stderr
    assert people.read_bytes() == before
    lines = (tmp_path / "1.jsonl").read_bytes().splitlines()
    events = [orjson.loads(line) for line in lines]
    last_job: dict[str, str] = {}
    for event in events:
        if event["event_type"] == "job_change":
            last_job[event["customer_id"]] = event["job"]
    saved = {p["id"]: p for p in orjson.loads(changed.read_bytes())}
    assert changed.read_bytes() != before
    # (an actor's change scheduled past the window's end is saved, not emitted)
    kept = [who for who, job in last_job.items() if saved[who]["job"] == job]
    assert len(last_job) >= 20 and len(kept) >= 0.8 * len(last_job)
    # the changed file read back as input plays the changed people
    again = customers(changed, tmp_path / "2.jsonl")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "2.jsonl").read_bytes() != (tmp_path / "1.jsonl").read_bytes()


FAILING_SINK = '''
class Fails:
    """Takes 100 events, then fails the run."""

    def __init__(self):
        self.seen = 0

    def send(self, event):
        self.seen += 1
        if self.seen > 100:
            raise RuntimeError("the sink broke")
'''


def test_a_failed_run_never_rewrites_the_profiles_file(tmp_path: Path) -> None:
    people = tmp_path / "people.json"
    assert customers(people, tmp_path / "0.jsonl").returncode == 0
    before = people.read_bytes()
    (tmp_path / "failing_sink.py").write_text(FAILING_SINK)
    failed = generate(
        "simulate", "customers", "--actors", "30", "--duration", "6h", "--seed", "5",
        "--profiles", people, "--profiles-out", people,
        "--sink", "python:failing_sink:Fails", cwd=tmp_path,
    )  # fmt: skip
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    assert people.read_bytes() == before
