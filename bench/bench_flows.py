"""Event flows and profiles next to faker-events, measured in the same run;
--workers speed-up; peak memory as a run gets 10x longer.

Workloads (each in a fresh interpreter, JSON lines for every event):
- flow: faker-events' batch example (its bundled example.py): 1,000 profiles,
  new_account (profiler copying id, first and last name from the profile) >>
  payment (profiler adding a random amount to `spent`), payments repeating
  (limit 0). faker-events runs EventGenerator.batch(start, finish), one global
  clock moving ~1 s an event, each event json.dumps'ed by a send() sink, as its
  Stream does; ours runs the same flow in the engine with 1,000 actors at the
  same global rate (0.06 events a minute each) over the same simulated span,
  each event a JSON line through the delivery loop. Profile creation is
  timed apart on both sides.
- profiles: creating 10,000 profiles: faker-events' ProfileGenerator.create
  against datagen.engine.profiles.create_profiles (Mimesis set-up included).
- workers: `customers`, 4,000 actors over 20 simulated hours, into a file, with
  --workers 1 and 2 (best of 3 each, alternating).
- memory: tracemalloc peak of `customers` (1,000 actors) over 3 h and 30 h.

faker-events lives in its own virtualenv (--compare-venv, default
/tmp/datagen-bench-faker-events), created on first use, never in .venv.

Run from the repository: .venv/bin/python bench/bench_flows.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from common import ensure_compare_venv, run_json, timed_cli  # noqa: E402

SEED = 1
PROFILES = 1_000
TARGETS = {"flow": 1.5, "profiles": 10.0, "memory": 1.5}
COMPARE_PACKAGES = ["faker-events==1.6.0"]

FAKER_EVENTS_FLOW = r"""
import json, sys, time
from datetime import datetime, timedelta
from faker import Faker
from faker_events import Event, EventGenerator, ProfileGenerator

seconds = float(sys.argv[1])
fake = Faker()
structure = {"event_time": "", "type": "example", "event_id": "", "user_id": "",
             "first_name": "", "last_name": "", "spent": 0, "status": "normal"}

def open_account(event, profile):
    return {"event_time": event.time, "event_id": event.id, "user_id": profile.id,
            "first_name": profile.first_name, "last_name": profile.last_name}

def make_payment(event, profile):
    event.data["event_time"] = event.time
    event.data["spent"] += fake.random_number(2)

class Lines:
    count = 0
    size = 0
    def send(self, message):
        self.size += len(json.dumps(message))
        self.count += 1

new_account = Event(structure, open_account, 1)
payment = Event(structure, make_payment, 0)
new_account >> payment
EventGenerator.set_first_events(new_account)
sink = Lines()
EventGenerator.set_stream(sink)
began = time.perf_counter()
profiles = ProfileGenerator()
profiles.load(num_profiles=1000)
setup = time.perf_counter() - began
generator = EventGenerator(profiles)
start = datetime(2019, 1, 1)
EventGenerator.batch(start, start + timedelta(seconds=seconds))
began = time.perf_counter()
generator._batch_stream() if hasattr(generator, "_batch_stream") else generator.start()
print(json.dumps({"events": sink.count, "seconds": time.perf_counter() - began,
                  "setup_seconds": setup}))
"""

FAKER_EVENTS_PROFILES = r"""
import json, sys, time
from faker_events import ProfileGenerator
count = int(sys.argv[1])
began = time.perf_counter()
generator = ProfileGenerator()
generator.create(count)
print(json.dumps({"profiles": len(generator.entries),
                  "seconds": time.perf_counter() - began}))
"""


# --- our side, each run as `bench_flows.py --worker KIND ARGS` ---


def our_flow(seconds: float) -> dict[str, Any]:
    """faker-events' example flow in the engine, written as JSON lines."""
    from datagen import Event, Flow, Simulation
    from datagen.compat.faker_events.events import (
        EXAMPLE_TEMPLATE,
        make_payment,
        open_account,
    )
    from datagen.encoders import JsonLinesEncoder
    from datagen.runs.simulation import write_simulation
    from datagen.sinks.base import BaseSink

    class Lines(BaseSink):
        """JSON lines counted, not kept: the run's bytes without a disk."""

        name = "lines"
        encoder = JsonLinesEncoder()
        size = 0

        def write_encoded(self, data: bytes, count: int) -> None:
            self.size += len(data)

    epm = 60.0 / PROFILES  # faker-events' global ~1 event/s, shared by 1,000
    structure = dict(EXAMPLE_TEMPLATE)
    new_account = Event(structure, open_account, 1, epm=epm)
    payment = Event(structure, make_payment, 0, epm=epm)
    new_account >> payment
    began = time.perf_counter()
    simulation = Simulation(Flow(new_account), actors=PROFILES, seed=SEED)
    simulation.population
    setup = time.perf_counter() - began
    window = simulation.window(start="2019-01-01T00:00:00Z", duration=seconds)
    began = time.perf_counter()
    result = write_simulation(simulation, window, [Lines()], "bench")
    return {
        "events": result.count,
        "seconds": time.perf_counter() - began,
        "setup_seconds": setup,
    }


def our_profiles(count: int) -> dict[str, Any]:
    began = time.perf_counter()
    from datagen.engine.profiles import create_profiles

    imported = time.perf_counter()
    made = create_profiles(SEED, count)
    return {
        "profiles": len(made),
        "seconds": time.perf_counter() - imported,
        "import_seconds": imported - began,
    }


def our_customers(workers: int, out: str) -> dict[str, Any]:
    argv = ["simulate", "customers", "--actors", "4000", "--duration", "20h"]
    argv += ["--seed", str(SEED), "--workers", str(workers), "-o", out, "--quiet"]
    seconds, events = timed_cli(argv, out)
    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (getrusage(RUSAGE_SELF), getrusage(RUSAGE_CHILDREN))
    )
    return {"events": events, "seconds": seconds, "cpu": cpu}


def our_memory(hours: float) -> dict[str, Any]:
    import tracemalloc

    from datagen import Simulation

    simulation = Simulation("customers", actors=1000, seed=SEED)
    simulation.population
    tracemalloc.start()
    events = 0
    for batch in simulation.batches(simulation.window(duration=hours * 3600)):
        events += len(b"".join(batch.lines()))
    return {"bytes": events, "peak": tracemalloc.get_traced_memory()[1]}


WORKERS = {
    "flow": lambda args: our_flow(float(args[0])),
    "profiles": lambda args: our_profiles(int(args[0])),
    "customers": lambda args: our_customers(int(args[0]), args[1]),
    "memory": lambda args: our_memory(float(args[0])),
}


# --- orchestration ---


def ours(kind: str, *args: object) -> dict[str, Any]:
    argv = [__file__, "--worker", kind, *map(str, args)]
    return run_json(argv, env={"PYTHONPATH": str(REPO)})


def theirs(python: Path, script: str, *args: object) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workload.py"
        path.write_text(script)
        argv = [str(path), *map(str, args)]
        return run_json(argv, python=str(python), env={"PYTHONPATH": str(REPO)})


def best(runs: list[dict[str, Any]], key: str = "seconds") -> dict[str, Any]:
    return min(runs, key=lambda figures: figures[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Smaller runs.")
    parser.add_argument(
        "--compare-venv", type=Path, default=Path("/tmp/datagen-bench-faker-events")
    )
    parser.add_argument("--worker", nargs="+", metavar="ARG")
    options = parser.parse_args()
    if options.worker:
        kind, *args = options.worker
        print(json.dumps(WORKERS[kind](args)))
        return

    repeat = 1 if options.quick else 3
    span = 60_000 if options.quick else 300_000  # simulated s ~ events
    print(f"python {platform.python_version()}, {platform.machine()}, seed {SEED}")
    python = ensure_compare_venv(
        options.compare_venv, COMPARE_PACKAGES, [COMPARE_PACKAGES]
    )
    rows: list[tuple[str, str, str, float, float]] = []

    flow_theirs = best([theirs(python, FAKER_EVENTS_FLOW, span) for _ in range(repeat)])
    flow_ours = best([ours("flow", span) for _ in range(repeat)])
    rate_theirs = flow_theirs["events"] / flow_theirs["seconds"]
    rate_ours = flow_ours["events"] / flow_ours["seconds"]
    print(
        f"  flow, 1,000 profiles: faker-events {flow_theirs['events']:,} events "
        f"{rate_theirs:,.0f} ev/s (profiles {flow_theirs['setup_seconds']:.2f} s); "
        f"datagen {flow_ours['events']:,} events {rate_ours:,.0f} ev/s "
        f"(profiles {flow_ours['setup_seconds']:.2f} s)"
    )
    rows.append(
        (
            "flow events/s",
            f"{rate_theirs:,.0f}",
            f"{rate_ours:,.0f}",
            rate_ours / rate_theirs,
            TARGETS["flow"],
        )
    )

    count = 10_000
    prof_theirs = best(
        [theirs(python, FAKER_EVENTS_PROFILES, count) for _ in range(repeat)]
    )
    prof_ours = best([ours("profiles", count) for _ in range(repeat)])
    rows.append(
        (
            "10,000 profiles (s)",
            f"{prof_theirs['seconds']:.2f}",
            f"{prof_ours['seconds']:.3f}",
            prof_theirs["seconds"] / prof_ours["seconds"],
            TARGETS["profiles"],
        )
    )

    with tempfile.TemporaryDirectory(prefix="bench-flows-") as folder:
        out = str(Path(folder) / "customers.jsonl")
        one, two = [], []
        load = os.getloadavg()[0]
        for _ in range(repeat):
            one.append(ours("customers", 1, out))
            two.append(ours("customers", 2, out))
    one_best, two_best = best(one), best(two)
    print(
        f"  customers, 4,000 actors, 20 h: {one_best['events']:,} events; "
        f"--workers 1 {one_best['seconds']:.2f} s wall, {one_best['cpu']:.2f} s CPU; "
        f"--workers 2 {two_best['seconds']:.2f} s wall, {two_best['cpu']:.2f} s CPU "
        f"(load average before: {load:.2f} on {os.cpu_count()} cores)"
    )
    rows.append(
        (
            "customers --workers 2 vs 1 (ev/s)",
            f"{one_best['events'] / one_best['seconds']:,.0f}",
            f"{two_best['events'] / two_best['seconds']:,.0f}",
            one_best["seconds"] / two_best["seconds"],
            1.0,
        )
    )

    short, long = ours("memory", 3), ours("memory", 30)
    rows.append(
        (
            "peak memory 3 h -> 30 h (KiB)",
            f"{short['peak'] // 1024:,}",
            f"{long['peak'] // 1024:,}",
            long["peak"] / short["peak"],
            TARGETS["memory"],
        )
    )
    report(rows)


def report(rows: list[tuple[str, str, str, float, float]]) -> None:
    print(
        f"\n{'measure':<36} {'baseline':>14} {'datagen':>14} {'ratio':>8} {'target':>8}"
    )
    for label, base, mine, ratio, target in rows:
        met = ratio <= target if label.startswith("peak") else ratio >= target
        sign = "<=" if label.startswith("peak") else ">="
        print(
            f"{label:<36} {base:>14} {mine:>14} {ratio:>7.2f}x {sign}{target:>5g}x"
            f"  {'met' if met else 'SHORT'}"
        )
    print(
        "\nbaseline: faker-events 1.6.0 (flow, profiles), --workers 1 (workers), "
        "the 3 h run (memory)."
    )


if __name__ == "__main__":
    main()
