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
from bench_sinks import starfleet_blocks, web_blocks  # noqa: E402
import common  # noqa: E402

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
WIDTH = 12  # of the sink names in the rows


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
    blocks: common.Blocks,
    kinesis_blocks: common.Blocks,
    repeat: int,
) -> list[common.Rates]:
    """The rows of one workload (common.measure_sinks); Kinesis on its own
    (smaller) set of events, since moto slows down as a stream grows."""
    kinesis = sinks.pop("kinesis")
    rows = common.measure_sinks(sinks, blocks, repeat, WIDTH)
    return rows + common.measure_sinks(
        {"kinesis": kinesis}, kinesis_blocks, repeat, WIDTH
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
            common.print_rates_header(workload, WIDTH)
            sinks = make_sinks(folder, workload, key, registry.url)
            rows = measure_workload(
                sinks, make_blocks(count), make_blocks(kinesis_count), repeat
            )
            table.append((workload, rows))
        print()
        common.print_rates_table(table, TARGET, NO_TARGET)
    finally:
        registry.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
