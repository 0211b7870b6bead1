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
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

import document_providers  # noqa: E402,F401 - registers the built-in providers
import sqlalchemy as sa  # noqa: E402
import common  # noqa: E402

from datagen.documents import DOCUMENT_PROVIDERS  # noqa: E402
from datagen.encoders import JsonLinesEncoder  # noqa: E402
from datagen.sinks.base import BaseSink  # noqa: E402
from datagen.sinks.files import FileSink  # noqa: E402
from datagen.sinks.parquet import ParquetSink  # noqa: E402
from datagen.sinks.sql import SqlSink, split_url  # noqa: E402
from tests.services import answers  # noqa: E402

SEED = 1
START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET = 0.7
WIDTH = 18  # of the sink names in the rows
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
    "K1SZFPTOtr/KBHBeksoGMGw=="
)


def starfleet_blocks(count: int) -> common.Blocks:
    """Blocks of starfleet_account documents, the same on every call."""

    def blocks() -> Iterator[list[dict[str, Any]]]:
        provider = DOCUMENT_PROVIDERS.get("starfleet_account")("en", SEED)
        for start in range(0, count, common.BLOCK):
            yield provider.generate_many(min(common.BLOCK, count - start))

    return blocks


def web_blocks(count: int) -> common.Blocks:
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
        while block := list(itertools.islice(stream, common.BLOCK)):
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


def measure(
    workload: str, blocks: common.Blocks, key: str, folder: Path, repeat: int
) -> list[common.Rates]:
    """The rows of one workload (common.measure_sinks); the tables are dropped
    afterwards."""
    rows = common.measure_sinks(
        make_sinks(folder, workload, key), blocks, repeat, WIDTH
    )
    for name in ("copy", "insert"):
        drop_table(f"bench_sinks_{workload}_{name}")
    return rows


def bench_azure(folder: Path, files: int) -> str:
    """Upload folder (plus `files` small JSON files) to Azurite; a result line."""
    from azure.storage.blob import BlobServiceClient

    from datagen.upload.azure_blob import BlobTarget, upload_folder

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
            common.print_rates_header(workload, WIDTH)
            table.append((workload, measure(workload, blocks, key, folder, repeat)))
        print()
        # method=insert is kept for comparison; the target is the default (COPY)
        common.print_rates_table(
            table, TARGET, no_target=("jsonl", "postgresql insert")
        )
        if not args.skip_azure:
            print()
            print(bench_azure(folder, 200 if args.quick else 1000))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
