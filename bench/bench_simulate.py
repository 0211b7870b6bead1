"""Events per second of simulations in batch mode, next to fake-web-events and
doge-datagen measured in the same run, and peak memory as a run gets 10x longer.

Workloads (output JSON lines to a file, one process each, a fresh interpreter
per measurement; ours are `simulate NAME --actors N --duration D -o FILE` run
in-process and timed whole, profiles and the file sink included):
- web: datagen's `web` with 10,000 users at 10 sessions a day each (100,000
  sessions a day) over one simulated day, against fake-web-events 0.2.5's
  Simulation(user_pool_size=10000, sessions_per_day=100000), start time fixed,
  run for --compare-seconds of wall-clock time (its run() counts wall time).
  fake-web-events builds its user pool first; that set-up is timed apart and
  left out of its rate (our rate includes drawing the users).
- banking: datagen's `banking`, 1,000 subjects, 1-minute ticks, against
  doge-datagen 1.0.4's DataOnlineGenerator with the same model (its README's
  bank-app user, take_loan refused past the same credit limit), each event
  written as a JSON line by an EventSink. doge's cost follows subjects x ticks.
- starfleet: 1,000 actors each living one starfleet journey (the journey
  simulation), every step's document an event; no comparison.
- memory: peak RSS of `web` and `banking` runs, and of runs 10x longer.

The comparison packages live in their own virtualenv (--compare-venv, default
/tmp/datagen-bench-compare), created on first use, never in .venv:
doge-datagen 1.0.4 does not install as published on Python 3.11, so it goes in
with --no-deps beside sqlalchemy 1.4, greenlet, psycopg2-binary, confluent-kafka
(with its schema-registry extras, which doge-datagen imports),
fastavro and requests; fake-web-events 0.2.5 pins Faker 4.1.1 (6x slower), so it
goes in with --no-deps beside current Faker and PyYAML, its fastest form.

Run from the repository: .venv/bin/python bench/bench_simulate.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from common import ensure_compare_venv, run_json, timed_cli  # noqa: E402

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z, the start of every run
SEED = 1
DAY = 86_400.0
COMPARE_PACKAGES = {
    "no_deps": ["doge-datagen==1.0.4", "fake-web-events==0.2.5"],
    "beside": [
        "sqlalchemy>=1.4,<2",
        "greenlet",
        "psycopg2-binary",
        "confluent-kafka[schemaregistry]",
        "fastavro",
        "requests",
        "faker",
        "pyyaml",
    ],
}
TARGETS = {"web": 10.0, "banking": 10.0}
MEMORY_TARGET = 1.5

# --- the workloads of the comparison packages, run by the comparison venv ---

FAKE_WEB_EVENTS = """
import json, random, resource, sys, time
from datetime import datetime
users, sessions = int(sys.argv[1]), int(sys.argv[2])
seconds, out = float(sys.argv[3]), sys.argv[4]
random.seed(1)
began = time.perf_counter()
from faker import Faker
from fake_web_events import Simulation
Faker.seed(1)
simulation = Simulation(user_pool_size=users, sessions_per_day=sessions,
                        init_time=datetime(2025, 1, 1))
setup = time.perf_counter() - began
count = 0
began = time.perf_counter()
with open(out, "w") as handle:
    for event in simulation.run(duration_seconds=seconds):
        handle.write(json.dumps(event) + "\\n")
        count += 1
elapsed = time.perf_counter() - began
print(json.dumps({"events": count, "seconds": elapsed, "setup_seconds": setup,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

DOGE_DATAGEN = """
import json, logging, random, resource, sys, time
from dataclasses import dataclass
subjects, ticks, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(1)
from doge_datagen import DataOnlineGenerator, EventSink, SubjectFactory, Transition
logging.getLogger("doge_datagen").setLevel(logging.WARNING)
LOAN, LIMIT = 10_000, 20_000

@dataclass
class User:
    user_id: int
    balance: int
    loan_balance: int
    def __hash__(self):
        return self.user_id

class UserFactory(SubjectFactory):
    def __init__(self):
        self.current_id = 0
    def create(self):
        self.current_id += 1
        return User(self.current_id, random.randrange(0, 1000), 0)

def income(user, transition):
    user.balance += random.randrange(500, 2000)
    return True

def spending(user, transition):
    payment = random.randrange(10, 100)
    if payment > user.balance:
        return False
    user.balance -= payment
    return True

def take_loan(user, transition):
    if user.loan_balance + LOAN > LIMIT:
        return False
    user.loan_balance += LOAN
    user.balance += LOAN
    return True

class JsonLinesSink(EventSink):
    def __init__(self, handle):
        self.handle, self.count = handle, 0
    def collect(self, timestamp, user, transition):
        self.handle.write(json.dumps({
            "timestamp": timestamp, "trigger": transition.trigger,
            "from_state": transition.from_state, "to_state": transition.to_state,
            "user_id": user.user_id, "balance": user.balance,
            "loan_balance": user.loan_balance}) + "\\n")
        self.count += 1

with open(out, "w") as handle:
    sink = JsonLinesSink(handle)
    generator = DataOnlineGenerator(["offline", "online", "loan_screen"], "offline",
                                    UserFactory(), subjects, 60000, ticks)
    add = generator.add_transition
    add("income", "offline", "offline", 0.01, action_callback=income,
        event_sinks=[sink])
    add("spending", "offline", "offline", 0.1, action_callback=spending,
        event_sinks=[sink])
    add("login", "offline", "online", 0.1, event_sinks=[sink])
    add("logout", "online", "offline", 70, event_sinks=[sink])
    add("open_loan_screen", "online", "loan_screen", 30, event_sinks=[sink])
    add("close_loan_screen", "loan_screen", "online", 40, event_sinks=[sink])
    add("take_loan", "loan_screen", "online", 10, action_callback=take_loan,
        event_sinks=[sink])
    began = time.perf_counter()
    generator.start()
    elapsed = time.perf_counter() - began
print(json.dumps({"events": sink.count, "seconds": elapsed, "setup_seconds": 0.0,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

# --- our side: one measurement in this interpreter (run as --worker) ---


def run_ours(name: str, actors: int, seconds: float | None, out: str) -> dict[str, Any]:
    """Run `simulate NAME --actors N` over `seconds` of simulated time (None:
    until every actor is done) into the JSON-lines file out, in this process,
    and return the figures: the whole command is timed (profiles, model,
    batching, the file sink), interpreter start-up and imports are not."""
    began = time.perf_counter()
    import datagen.cli  # noqa: F401 - timed apart, before timed_cli runs it

    import_seconds = time.perf_counter() - began
    argv = ["simulate", name, "--actors", str(actors), "--seed", str(SEED)]
    argv += ["-o", out, "--quiet"]
    if seconds is not None:
        argv += ["--duration", f"{round(seconds)}s"]
    elapsed, count = timed_cli(argv, out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "events": count,
        "seconds": elapsed,
        "setup_seconds": import_seconds,
        "peak_rss_kb": peak,
    }


# --- orchestration ---


def ours(name: str, actors: int, seconds: float | None, out: Path | str) -> dict:
    argv = [__file__, "--worker", name, str(actors), str(seconds), str(out)]
    return run_json(argv)


def versions(python: Path) -> str:
    names = ["doge-datagen", "fake-web-events", "Faker", "SQLAlchemy"]
    code = (
        "from importlib.metadata import version as v; "
        f"print(', '.join(n + ' ' + v(n) for n in {names!r}))"
    )
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def compare(python: Path, script: str, args: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workload.py"  # no config.yml beside it
        path.write_text(script)
        return run_json([str(path), *args], python=str(python))


def rate(figures: dict[str, Any]) -> float:
    return figures["events"] / figures["seconds"]


def row(label: str, figures: dict[str, Any]) -> str:
    return (
        f"  {label:<44} {figures['events']:>10,} events {figures['seconds']:>7.2f} s "
        f"{rate(figures):>11,.0f} ev/s  (set-up {figures['setup_seconds']:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Smaller runs.")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument(
        "--compare-venv", type=Path, default=Path("/tmp/datagen-bench-compare")
    )
    parser.add_argument("--compare-seconds", type=float, default=None)
    parser.add_argument("--worker", nargs=4, metavar=("NAME", "N", "S", "OUT"))
    options = parser.parse_args()
    if options.worker:
        name, actors, seconds, out = options.worker
        span = None if seconds == "None" else float(seconds)
        print(json.dumps(run_ours(name, int(actors), span, out)))
        return

    quick = options.quick
    web_days = 0.25 if quick else 1.0
    banking_ticks = 20_000 if quick else 100_000
    doge_ticks = 2_000 if quick else 10_000
    wall = options.compare_seconds or (5.0 if quick else 20.0)
    print(f"python {platform.python_version()}, {platform.machine()}, seed {SEED}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as folder:
        out = Path(folder) / "events.jsonl"
        results["web"] = ours("web", 10_000, web_days * DAY, out)
        print(row(f"datagen web, 10,000 users, {web_days:g} day", results["web"]))
        results["banking"] = ours("banking", 1_000, banking_ticks * 60.0, out)
        label = f"datagen banking, 1,000 subjects, {banking_ticks:,} ticks"
        print(row(label, results["banking"]))
        try:
            results["starfleet"] = ours("starfleet", 1_000, None, out)
            print(row("datagen starfleet journeys, 1,000 actors", results["starfleet"]))
        except RuntimeError as error:
            print(f"  starfleet journeys skipped: {str(error).splitlines()[-1]}")
        if not options.skip_compare:
            installs = [
                ["--no-deps", *COMPARE_PACKAGES["no_deps"]],
                COMPARE_PACKAGES["beside"],
            ]
            python = ensure_compare_venv(
                options.compare_venv, COMPARE_PACKAGES, installs
            )
            print(f"  comparison venv: {versions(python)}")
            results["fake-web-events"] = compare(
                python, FAKE_WEB_EVENTS, ["10000", "100000", str(wall), str(out)]
            )
            label = f"fake-web-events, 10,000 users, {wall:g} s wall"
            print(row(label, results["fake-web-events"]))
            results["doge-datagen"] = compare(
                python, DOGE_DATAGEN, ["1000", str(doge_ticks), str(out)]
            )
            label = f"doge-datagen, 1,000 subjects, {doge_ticks:,} ticks"
            print(row(label, results["doge-datagen"]))
        memory = {
            name: (
                ours(name, actors, span, out)["peak_rss_kb"],
                ours(name, actors, span * 10, out)["peak_rss_kb"],
            )
            for name, actors, span in (
                ("web", 10_000, (0.05 if quick else 0.25) * DAY),
                ("banking", 1_000, (2_000 if quick else 20_000) * 60.0),
            )
        }
    report(results, memory)


def report(results: dict[str, dict[str, Any]], memory: dict[str, tuple]) -> None:
    print("\nratios (events per second, same run):")
    for ours_name, theirs in (("web", "fake-web-events"), ("banking", "doge-datagen")):
        if theirs not in results:
            continue
        ratio = rate(results[ours_name]) / rate(results[theirs])
        target = TARGETS[ours_name]
        verdict = "ok" if ratio >= target else "SHORT"
        print(
            f"  {ours_name:<8} {rate(results[ours_name]):>10,.0f} ev/s vs {theirs} "
            f"{rate(results[theirs]):>8,.0f} ev/s = {ratio:5.1f}x "
            f"(target >= {target:g}x: {verdict})"
        )
    print("peak memory, a run 10x longer:")
    for name, (short, long) in memory.items():
        ratio = long / short
        verdict = "ok" if ratio <= MEMORY_TARGET else "SHORT"
        print(
            f"  {name:<8} {short / 1024:7.1f} MB -> {long / 1024:7.1f} MB = "
            f"{ratio:4.2f}x (target <= {MEMORY_TARGET}x: {verdict})"
        )


if __name__ == "__main__":
    main()
