"""--cluster and --shard-size: a run's blocks or actors as Dask tasks.

`document` writes from the workers when its output can be split: -o a
folder or an object store in jsonl, csv, json or parquet (a part per shard
and a manifest), or --sink URLs alone (each worker opens its own
connection). Every other run (one file, stdout, --route, --faults, --truth,
a folder of a file per document, journeys) has its blocks made on the
cluster and written here in order: the same bytes either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from datagen.cli.options import CheckpointOptions, ProviderRun
from datagen.declarative.worker_setup import worker_setup
from datagen.engine.model import SIMULATIONS
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError
from datagen.files.part_store import is_object_store
from datagen.runs.cluster.active import ActiveCluster, WorkerSetup, using_cluster
from datagen.runs.cluster.connect import CLUSTER_VARIABLE, connected, parse_cluster
from datagen.runs.cluster.document_parts import PartsTarget
from datagen.runs.outputs import Outputs

#: Formats a run in a folder writes as parts, one per shard (`json` there is
#: a file per document, written by the workers too).
FOLDER_PART_FORMATS = ("jsonl", "csv", "parquet")

cluster_option = click.option(
    "--cluster",
    "cluster",
    envvar=CLUSTER_VARIABLE,
    metavar="ADDRESS",
    help="Run on a Dask cluster: tcp://HOST:8786 (a running scheduler) or "
    "local:N (N local worker processes) [env: DATAGEN_CLUSTER]. The same "
    "bytes as one process.",
)
shard_option = click.option(
    "--shard-size",
    "shard_items",
    type=click.IntRange(1),
    default=None,
    metavar="N",
    help="With --cluster: items per task (whole blocks) [default: 200,000 "
    "documents per part; 50,000 per task otherwise].",
)


@contextmanager
def cluster_run(
    address: str | None,
    shard_items: int | None = None,
    quiet: bool = False,
    setup: WorkerSetup | None = None,
) -> Iterator[ActiveCluster | None]:
    """The run's cluster for the with-block (None without --cluster): runs
    started inside use it. Prints the dashboard's link unless quiet."""
    spec = parse_cluster(address)
    if spec is None:
        if shard_items is not None:
            raise ConfigError("--shard-size sizes a cluster's tasks: add --cluster")
        yield None
        return

    def say(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    with connected(spec, say) as client:
        active = ActiveCluster(client, setup, shard_items)
        with using_cluster(active):
            yield active


def parts_target(run: ProviderRun, format_: str | None) -> PartsTarget | None:
    """Where a `document --cluster` run's workers write (None: the driver
    writes, in order): parts in -o's folder or object store, and the --sink
    URLs each worker opens."""
    location = run.output_path
    if location is not None and is_object_store(location):
        return PartsTarget(location, format_ or "jsonl", run.sink_specs)
    if run.routes:
        return None
    outputs = run.outputs(format_)
    if not outputs.local:
        return PartsTarget(None, outputs.format, run.sink_specs)
    if _folder(outputs) and outputs.format in FOLDER_PART_FORMATS:
        return PartsTarget(str(outputs.path), outputs.format, run.sink_specs)
    return None


def _folder(outputs: Outputs) -> bool:
    """-o names a folder: a trailing /, an existing folder, or no extension."""
    path = outputs.path
    if path is None:
        return False
    return outputs.folder or path.is_dir() or not Path(path).suffix


def parts_resumed(checkpointing: CheckpointOptions, location: str | None) -> bool:
    """True for --resume of a parts run: its parts are its checkpoint (each
    published whole), so --checkpoint and --resume must name -o's location;
    --resume then makes only the missing parts."""
    if checkpointing.folder is None:
        return False
    option = "--resume" if checkpointing.resume else "--checkpoint"
    if location is None or not _same_place(location, checkpointing.folder):
        raise ConfigError(
            f"{option} with --cluster: a cluster run's parts are its checkpoint;"
            f" name -o's location ({option} {location or 'needs -o DIR'})"
        )
    return checkpointing.resume


def is_parts_location(
    output_path: str | None, sink_specs: tuple[str, ...], routes: tuple[str, ...]
) -> bool:
    """True when a `simulate --cluster` run leaves its shards as parts: -o
    names a folder (a trailing /, an existing folder) or an object store,
    and no sink needs the merged stream."""
    if output_path is None or sink_specs or routes:
        return False
    if is_object_store(output_path):
        return True
    return output_path.endswith("/") or Path(output_path).is_dir()


def simulation_setup(simulation: Simulation) -> WorkerSetup | None:
    """What the workers need to build a declared simulation (none for a
    model a module defines; a --script's is refused by the run)."""
    if simulation.name not in SIMULATIONS:
        return None
    return worker_setup("simulation", (simulation.name,))


def _same_place(location: str, folder: Path) -> bool:
    """True when --resume's folder is -o's location (a folder, or an object
    store's URL as given)."""
    if is_object_store(location):
        return Path(location) == folder
    return Path(location).absolute() == folder.absolute()


def refuse_object_store(output_path: str | None) -> None:
    """-o s3://... is where a cluster's workers write parts: without
    --cluster it is named in one line."""
    if output_path is not None and is_object_store(output_path):
        raise ConfigError(
            f"-o {output_path.split('?')[0]}: object storage takes a cluster"
            " run's parts: add --cluster (local:2 runs one on this machine)"
        )


def on_stderr(line: str) -> None:
    """A line for the user while a cluster run stops (shown even with --quiet)."""
    click.echo(line, err=True)
