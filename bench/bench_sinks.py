"""Events per second into PostgreSQL (upsert) and Parquet next to JSON lines, one run.

Workloads (the same events for every sink, from the same seed):
- starfleet_account documents (nested: auth.logins), N of them;
- the `web` simulation's first N events; they carry no unique field, so each
  gets an `event_id` (its position) to upsert on, in every sink alike.
Sinks, each opened and closed inside the timing:
- jsonl: FileSink with the JSON-lines encoder (the baseline);
- parquet: ParquetSink, row groups of 10,000;
- postgresql copy: SqlSink key=id, COPY into a temp table + INSERT .. ON CONFLICT;
- postgresql insert: SqlSink key=id method=insert (executemany, multi-row VALUES).
Two figures per sink: end to end (generating the events in blocks of 1,000 and
sending each block, as a run does; the target is >= 0.7x of JSONL's rate, so the
sink is never the bottleneck) and sink only (pre-generated events, no target).
Then Azure: `upload` of the files written plus 1,000 small JSON files into
Azurite (started by scripts/services.sh if down), MB/s and files/s, no target.

Run from the repository: .venv/bin/python bench/bench_sinks.py [--quick]
(needs PostgreSQL on 127.0.0.1:5432, trust auth, database test).
"""

from __future__ import annotations

import argparse
import itertools
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import document_providers  # noqa: E402,F401 - registers the built-in providers
import sqlalchemy as sa  # noqa: E402

from datagen.documents import DOCUMENT_PROVIDERS  # noqa: E402
from datagen.encoders import JsonLinesEncoder  # noqa: E402
from datagen.sinks.base import BaseSink  # noqa: E402
from datagen.sinks.files import FileSink  # noqa: E402
from datagen.sinks.parquet import ParquetSink  # noqa: E402
from datagen.sinks.sql import SqlSink, split_url  # noqa: E402

SEED = 1
BLOCK = 1000
START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET = 0.7
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
    "K1SZFPTOtr/KBHBeksoGMGw=="
)

Blocks = Callable[[], Iterator[list[dict[str, Any]]]]


def starfleet_blocks(count: int) -> Blocks:
    """Blocks of starfleet_account documents, the same on every call."""

    def blocks() -> Iterator[list[dict[str, Any]]]:
        provider = DOCUMENT_PROVIDERS.get("starfleet_account")("en", SEED)
        for start in range(0, count, BLOCK):
            yield provider.generate_many(min(BLOCK, count - start))

    return blocks


def web_blocks(count: int) -> Blocks:
    """Blocks of the web simulation's first `count` events, numbered."""
    import datagen.engine.simulations  # noqa: F401 - registers the built-ins
    from datagen.engine.actors import make_actor
    from datagen.engine.model import SIMULATIONS, Window
    from datagen.engine.runner import run_actors

    users = max(count // 20, 100)  # about 24 events per user and day

    def blocks() -> Iterator[list[dict[str, Any]]]:
        model = SIMULATIONS.get("web")()
        window = Window(START, START + 2 * 86_400, seed=SEED)
        actors = [make_actor(SEED, index) for index in range(users)]
        stream = itertools.islice(run_actors(model, actors, window), count)
        number = 0
        while block := list(itertools.islice(stream, BLOCK)):
            for keyed in block:
                keyed[3]["event_id"] = number
                number += 1
            yield [keyed[3] for keyed in block]

    return blocks


def drop_table(table: str) -> None:
    engine = sa.create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    engine.dispose()


def make_sinks(
    folder: Path, workload: str, key: str
) -> dict[str, Callable[[], BaseSink]]:
    """Sink name -> a function that opens it afresh (emptying its target)."""

    def sql(method: str) -> Callable[[], BaseSink]:
        table = f"bench_sinks_{workload}_{method}"

        def open_sql() -> BaseSink:
            drop_table(table)
            return SqlSink(
                *split_url(f"{POSTGRES}?table={table}&key={key}&method={method}")
            )

        return open_sql

    return {
        "jsonl": lambda: FileSink(folder / f"{workload}.jsonl", JsonLinesEncoder()),
        "parquet": lambda: ParquetSink(
            folder / f"{workload}.parquet", row_group=10_000
        ),
        "postgresql copy": sql("copy"),
        "postgresql insert": sql("insert"),
    }


def timed(open_sink: Callable[[], BaseSink], blocks: Iterator[list[dict[str, Any]]]):
    """Seconds to open the sink, send every block and close it; and the delivery."""
    started = time.perf_counter()
    sink = open_sink()
    for block in blocks:
        sink.send_many(block)
    delivery = sink.close()
    return time.perf_counter() - started, delivery


def measure(
    workload: str, blocks: Blocks, key: str, folder: Path, repeat: int
) -> list[tuple[str, float, float]]:
    """(sink, end-to-end events/s, sink-only events/s) for each sink, the best
    of `repeat` rounds; each round measures every sink in turn, so a burst of
    load from elsewhere on the machine hits all of them alike."""
    events = [event for block in blocks() for event in block]
    count = len(events)
    pre_blocks = [events[start : start + BLOCK] for start in range(0, count, BLOCK)]
    sinks = make_sinks(folder, workload, key)
    best = {name: [0.0, 0.0] for name in sinks}
    for _ in range(repeat):
        for name, open_sink in sinks.items():
            for column, blocks_now in ((0, blocks()), (1, iter(pre_blocks))):
                seconds, delivery = timed(open_sink, blocks_now)
                assert delivery.acknowledged == count, (name, delivery)
                best[name][column] = max(best[name][column], count / seconds)
    rows = [(name, figures[0], figures[1]) for name, figures in best.items()]
    for name, end_to_end, sink_only in rows:
        print(f"  {name:<18} {end_to_end:>12,.0f} {sink_only:>12,.0f}", flush=True)
    for name in ("copy", "insert"):
        drop_table(f"bench_sinks_{workload}_{name}")
    return rows


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def bench_azure(folder: Path, files: int) -> str:
    """Upload folder (plus `files` small JSON files) to Azurite; a result line."""
    from azure.storage.blob import BlobServiceClient

    from datagen.sinks.azure_blob import BlobTarget, upload_folder

    if not answers(10000):
        subprocess.run(["bash", str(REPO / "scripts/services.sh"), "up", "azurite"])
    small = folder / "documents"
    small.mkdir(exist_ok=True)
    for index in range(files):
        (small / f"starfleet_account_{index:06d}.json").write_bytes(
            b'{"id": "%06d", "pad": "%s"}\n' % (index, b"x" * 400)
        )
    connection = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_KEY};"
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    )
    service = BlobServiceClient.from_connection_string(connection)
    name = f"bench-{int(time.time())}"
    service.create_container(name)
    try:
        target = BlobTarget(connection_string=connection, container=name)
        result = upload_folder(target, folder)
        again = upload_folder(target, folder)
    finally:
        service.delete_container(name)
    megabytes = result.bytes_uploaded / 1e6
    return (
        f"upload to Azurite: {result.uploaded} files, {megabytes:.1f} MB in "
        f"{result.elapsed:.2f} s = {megabytes / result.elapsed:.1f} MB/s, "
        f"{result.uploaded / result.elapsed:,.0f} files/s; a second run skips "
        f"{again.skipped} files in {again.elapsed:.2f} s (MD5 check)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 events, once")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N rounds")
    parser.add_argument("--skip-azure", action="store_true")
    args = parser.parse_args()
    count = 20_000 if args.quick else args.events
    repeat = 1 if args.quick else args.repeat
    if not answers(5432):
        sys.exit("bench_sinks: PostgreSQL does not answer on 127.0.0.1:5432")
    print(f"bench_sinks: {count:,} events per workload, best of {repeat}")
    print(
        f"  Python {platform.python_version()}, {platform.machine()}, "
        f"SQLAlchemy {sa.__version__}"
    )
    folder = Path(tempfile.mkdtemp(prefix="datagen-bench-sinks-"))
    table = []
    try:
        for workload, blocks, key in (
            ("starfleet_account", starfleet_blocks(count), "id"),
            ("web", web_blocks(count), "event_id"),
        ):
            print(f"{workload}: {'sink':<18} {'end to end':>12} {'sink only':>12}")
            table.append((workload, measure(workload, blocks, key, folder, repeat)))
        print()
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
                    if name == "jsonl"
                    else (f">= {TARGET}: {'met' if ratio >= TARGET else 'MISSED'}")
                )
                print(
                    f"| {workload} | {name} | {e2e:,.0f} | {ratio:.2f} | {verdict} | "
                    f"{only:,.0f} | {only / base_only:.2f} |"
                )
        if not args.skip_azure:
            print()
            print(bench_azure(folder, 200 if args.quick else 1000))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
