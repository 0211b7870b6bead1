"""Events per second into Kafka (JSON and Avro) and Kinesis next to JSON lines, one run.

Workloads (the same events for every sink, from the same seed), taken from
bench_sinks.py: starfleet_account documents and the `web` simulation's events.
Sinks, each opened and closed inside the timing (a fresh topic or stream each
time, so the close waits for every delivery report):
- jsonl: FileSink with the JSON-lines encoder (the baseline);
- kafka json: KafkaSink into the Tansu broker of scripts/services.sh, key=id;
- kafka avro: the same with format=avro, the schema derived from the first
  block and registered in the tests' schema registry (run in this process);
- kinesis: KinesisSink into moto's server mode, 4 shards, on the first
  --kinesis-events events (no target: moto is an emulator, bounded by its own
  speed, and slows down as a stream grows).
Two figures per sink: end to end (generating the events in blocks of 1,000 and
sending each block, as a run does; the target is >= 0.7x of JSONL's rate) and
sink only (pre-generated events, no target).

Run from the repository: .venv/bin/python bench/bench_kafka.py [--quick]
(starts Tansu and moto through scripts/services.sh when they are down).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import confluent_kafka  # noqa: E402
from bench_sinks import BLOCK, Blocks, starfleet_blocks, timed, web_blocks  # noqa: E402

from datagen.encoders import JsonLinesEncoder  # noqa: E402
from datagen.sinks.base import BaseSink  # noqa: E402
from datagen.sinks.files import FileSink  # noqa: E402
from datagen.sinks.spec import open_sink  # noqa: E402
from tests.services import answers  # noqa: E402
from tests.sinks.kafka_topics import unique_topic  # noqa: E402
from tests.sinks.schema_registry import RegistryHTTPServer  # noqa: E402

KAFKA = "127.0.0.1:9092"
MOTO = "http://127.0.0.1:5000"
TARGET = 0.7
NO_TARGET = ("jsonl", "kinesis")


def make_sinks(
    folder: Path, workload: str, key: str, registry: str
) -> dict[str, Callable[[], BaseSink]]:
    """Sink name -> a function that opens it afresh on a new topic or stream."""

    def kafka(extra: str) -> Callable[[], BaseSink]:
        return lambda: open_sink(  # type: ignore[return-value]
            f"kafka://{KAFKA}/{unique_topic('bench-' + workload)}?key={key}{extra}"
        )

    def kinesis() -> BaseSink:
        stream = unique_topic("bench-" + workload)
        return open_sink(  # type: ignore[return-value]
            f"kinesis://{stream}?region=us-east-1&endpoint={MOTO}&create=1"
            f"&shards=4&key={key}"
        )

    return {
        "jsonl": lambda: FileSink(folder / f"{workload}.jsonl", JsonLinesEncoder()),
        "kafka json": kafka(""),
        "kafka avro": kafka(f"&format=avro&registry={registry}"),
        "kinesis": kinesis,
    }


def measure_workload(
    sinks: dict[str, Callable[[], BaseSink]],
    blocks: Blocks,
    kinesis_blocks: Blocks,
    repeat: int,
) -> list[tuple[str, float, float]]:
    """The rows of one workload; Kinesis on its own (smaller) set of events,
    since moto slows down as a stream grows."""
    kinesis = sinks.pop("kinesis")
    rows = measure(sinks, blocks, repeat)
    return rows + measure({"kinesis": kinesis}, kinesis_blocks, repeat)


def measure(
    sinks: dict[str, Callable[[], BaseSink]], blocks: Blocks, repeat: int
) -> list[tuple[str, float, float]]:
    """(sink, end-to-end events/s, sink-only events/s), the best of `repeat`
    rounds; each round measures every sink in turn."""
    events = [event for block in blocks() for event in block]
    count = len(events)
    pre_blocks = [events[start : start + BLOCK] for start in range(0, count, BLOCK)]
    best = {name: [0.0, 0.0] for name in sinks}
    for _ in range(repeat):
        for name, open_one in sinks.items():
            for column, blocks_now in ((0, blocks()), (1, iter(pre_blocks))):
                seconds, delivery = timed(open_one, blocks_now)
                assert delivery.acknowledged == count, (name, delivery)
                best[name][column] = max(best[name][column], count / seconds)
    rows = [(name, figures[0], figures[1]) for name, figures in best.items()]
    for name, end_to_end, sink_only in rows:
        print(f"  {name:<12} {end_to_end:>12,.0f} {sink_only:>12,.0f}", flush=True)
    return rows


def print_table(table: list[tuple[str, list[tuple[str, float, float]]]]) -> None:
    print(
        "| workload | sink | events/s end to end | x JSONL | target | "
        "events/s sink only | x JSONL |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    for workload, rows in table:
        base_e2e, base_only = rows[0][1], rows[0][2]
        for name, e2e, only in rows:
            ratio = e2e / base_e2e
            verdict = (
                ""
                if name in NO_TARGET
                else f">= {TARGET}: {'met' if ratio >= TARGET else 'MISSED'}"
            )
            print(
                f"| {workload} | {name} | {e2e:,.0f} | {ratio:.2f} | {verdict} | "
                f"{only:,.0f} | {only / base_only:.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 events, once")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--kinesis-events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N rounds")
    args = parser.parse_args()
    count = 20_000 if args.quick else args.events
    kinesis_count = min(count, args.kinesis_events)
    repeat = 1 if args.quick else args.repeat
    if not (answers(9092) and answers(5000)):
        services = REPO / "scripts" / "services.sh"
        subprocess.run(["bash", str(services), "up", "kafka", "kinesis"], check=True)
    print(
        f"bench_kafka: {count:,} events per workload ({kinesis_count:,} into "
        f"Kinesis), best of {repeat}"
    )
    print(
        f"  Python {platform.python_version()}, {platform.machine()}, "
        f"confluent-kafka {confluent_kafka.version()[0]}, "
        f"librdkafka {confluent_kafka.libversion()[0]}, broker Tansu (memory)"
    )
    registry = RegistryHTTPServer().start_in_thread()
    folder = Path(tempfile.mkdtemp(prefix="datagen-bench-kafka-"))
    table = []
    try:
        for workload, make_blocks, key in (
            ("starfleet_account", starfleet_blocks, "id"),
            ("web", web_blocks, "event_id"),
        ):
            print(f"{workload}: {'sink':<12} {'end to end':>12} {'sink only':>12}")
            sinks = make_sinks(folder, workload, key, registry.url)
            rows = measure_workload(
                sinks, make_blocks(count), make_blocks(kinesis_count), repeat
            )
            table.append((workload, rows))
        print()
        print_table(table)
    finally:
        registry.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
