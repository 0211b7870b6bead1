"""`simulate --cluster`: actors sharded by index, each shard a time-ordered
part written by a worker, merged by the driver where one stream is needed.

Actors do not interact, so shard w of N runs actors w, w+N, ... and its
share of the arrivals: what --workers' forked processes run (engine.parallel).
Each event keeps its key (time, actor index, sequence), the one-process
stream's order, in a keys file beside the part; merging the parts by key
gives the bytes one process writes, whatever N is.
"""

from __future__ import annotations

import heapq
import json
import struct
import tempfile
import time
from contextlib import ExitStack, closing
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from datagen.encoders import dumps_line
from datagen.engine.batches import Batch
from datagen.engine.model import SIMULATIONS, Window
from datagen.engine.runner import ArrivingActors, run_actors
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError
from datagen.files.part_store import PartStore, open_part_store
from datagen.runs.cluster.active import ActiveCluster
from datagen.runs.cluster.part_files import (
    MANIFEST,
    absolute_location,
    earlier_run,
)
from datagen.runs.cluster.ordered import (
    ClusterResults,
    cluster_results,
    finished_on_stop,
)
from datagen.runs.loop import RunResult

#: Events a merged batch holds.
MERGED_BATCH = 4096
#: One key: time (float64), actor index and sequence (int64), little-endian.
KEY = struct.Struct("<dqq")


@dataclass(frozen=True)
class SimulationSpec:
    """What a worker needs to make the same Simulation the driver has: a
    registered model's name and the constructor's arguments (a profiles file
    is read where it exists, never written)."""

    model: str
    actors: int | None
    seed: int
    profiles: str | None = None
    config: str | None = None
    locale: str = "en"

    @classmethod
    def of(cls, simulation: Simulation) -> SimulationSpec:
        """The spec of a simulation of a registered model (a --script's
        model lives in the driver's process only: ConfigError)."""
        if simulation.name not in SIMULATIONS:
            raise ConfigError(
                f"--cluster runs registered simulations; '{simulation.name}'"
                " (a --script's model) lives in this process only"
            )
        profiles = simulation.profiles
        return cls(
            simulation.name,
            simulation.actors,
            simulation.seed,
            None if profiles is None else str(profiles),
            simulation.config,
            simulation.locale,
        )

    def build(self) -> Simulation:
        profiles = (
            self.profiles if self.profiles and Path(self.profiles).exists() else None
        )
        return Simulation(
            self.model, self.actors, self.seed, profiles, self.config, self.locale
        )


@dataclass
class ShardEvents:
    """What one simulation shard wrote."""

    index: int
    count: int
    part: str
    profiles: dict[int, dict[str, Any]] = field(default_factory=dict)


def part_names(index: int) -> tuple[str, str]:
    """The part of shard `index` and its keys file."""
    return f"part-{index:05d}.jsonl", f"part-{index:05d}.keys"


def simulate_shard(
    spec: SimulationSpec,
    window: Window,
    shards: int,
    location: str,
    count: int | None,
    with_profiles: bool,
    index: int,
) -> ShardEvents:
    """A cluster task: shard `index` of `shards`, its stream (at most `count`
    events: the run's first count come from no more than that many of any
    shard's) into its part and keys file."""
    simulation = spec.build()
    simulation.keep_profiles = with_profiles  # the driver saves them whole
    population = simulation.population
    actors = list(simulation.initial_actors(window))[index::shards]
    arriving = (
        None
        if window.arrivals is None
        else ArrivingActors(window, population.arrival, shards, index)
    )
    stream = run_actors(simulation.model, actors, window, arriving)
    if count is not None:
        stream = islice(stream, count)
    store = open_part_store(location, create=False)
    part, keys = part_names(index)
    written = 0
    with store.writing(keys) as keys_path, store.writing(part) as part_path:
        with open(part_path, "wb") as lines, open(keys_path, "wb") as key_file:
            written = _write_stream(stream, lines, key_file)
    profiles = {a.index: dict(a.profile) for a in actors} if with_profiles else {}
    return ShardEvents(index, written, part, profiles)


def _write_stream(stream: Iterator[Any], lines: BinaryIO, keys: BinaryIO) -> int:
    """Each event's JSON line, and its key as one KEY record."""
    written = 0
    pack = KEY.pack
    chunk: list[bytes] = []
    packed: list[bytes] = []
    for moment, index, sequence, event in stream:
        packed.append(pack(moment, index, sequence))
        chunk.append(dumps_line(event))
        if len(chunk) >= MERGED_BATCH:
            lines.write(b"".join(chunk))
            keys.write(b"".join(packed))
            written += len(chunk)
            chunk, packed = [], []
    lines.write(b"".join(chunk))
    keys.write(b"".join(packed))
    return written + len(chunk)


def run_shards(
    cluster: ActiveCluster,
    simulation: Simulation,
    spec: SimulationSpec,
    window: Window,
    location: str,
    count: int | None = None,
    shards: int | None = None,
) -> ClusterResults[int, ShardEvents]:
    """Every shard as a task; each one's result as it is done, in order. The
    population's profiles are saved as one process's run saves them."""
    simulation.population  # made (and a new profiles file written) first
    if shards is None:
        actors = len(simulation.initial_actors(window))
        per_shard = cluster.shard_items
        shards = cluster.workers() if not per_shard else -(-actors // per_shard)
        shards = max(shards, 1)
    with_profiles = simulation.population.out is not None
    task = partial(simulate_shard, spec, window, shards, location, count, with_profiles)

    def saved(done: ShardEvents) -> None:
        simulation.population.update(done.profiles)

    return cluster_results(
        cluster, task, range(shards), each=saved if with_profiles else None
    )


def merged_batches(
    store: PartStore, shards: int, count: int | None = None
) -> Iterator[Batch]:
    """The shards' parts merged by key into one stream, in batches."""
    streams = [_keyed_lines(store, index) for index in range(shards)]
    merged: Iterator[tuple[tuple[Any, ...], bytes]] = heapq.merge(*streams)
    if count is not None:
        merged = islice(merged, count)
    while True:
        chunk = list(islice(merged, MERGED_BATCH))
        if not chunk:
            return
        times = [key[0] for key, _ in chunk]
        yield Batch(None, [line for _, line in chunk], times[-1], times=times)


def _keyed_lines(
    store: PartStore, index: int
) -> Iterator[tuple[tuple[float, int, int], bytes]]:
    part, keys = part_names(index)
    with store.open_read(part) as lines, store.open_read(keys) as key_file:
        while records := key_file.read(KEY.size * MERGED_BATCH):
            for key in KEY.iter_unpack(records):
                yield key, lines.readline()


def simulation_batches(
    cluster: ActiveCluster,
    simulation: Simulation,
    window: Window,
    count: int | None = None,
    stage: str | None = None,
) -> Generator[Batch, None, None]:
    """The run's stream, made in shards on the cluster and merged here. The
    shards are staged in `stage` (a folder or object store every worker
    sees; by default a temporary folder in the working directory, removed
    when the merge ends)."""
    spec = SimulationSpec.of(simulation)
    with ExitStack() as stack:
        if stage is None:
            stage = stack.enter_context(
                tempfile.TemporaryDirectory(prefix=".datagen-shards-", dir=Path.cwd())
            )
        with closing(
            run_shards(cluster, simulation, spec, window, stage, count)
        ) as made:
            done = list(made)
        store = open_part_store(stage, create=False)
        yield from merged_batches(store, len(done), count)
    simulation.population.save()  # with the shards' additions, as one process saves


def write_simulation_parts(
    cluster: ActiveCluster,
    simulation: Simulation,
    window: Window,
    location: str,
    on_progress: Callable[[int], None] | None = None,
    notice: Callable[[str], None] = lambda line: None,
) -> RunResult:
    """The run's shards left as time-ordered parts in `location` (a folder
    or object store), each with its keys file, and a manifest naming them:
    for a consumer that reads the parts in parallel, or merges them itself.
    Stopped (Ctrl-C), it waits for the shards under way (see
    finished_on_stop), saying so through `notice`."""
    started = time.monotonic()
    spec = SimulationSpec.of(simulation)
    location = absolute_location(location) or location
    store = open_part_store(location)
    for name in earlier_run(store):  # a document run's run.json too: it
        store.delete(name)  # cannot be resumed over these parts
    parts: list[ShardEvents] = []

    def record(done: ShardEvents) -> None:
        parts.append(done)
        if on_progress is not None:
            on_progress(done.count)

    results = run_shards(cluster, simulation, spec, window, location)
    interrupted = finished_on_stop(results, record, notice)
    if not interrupted:
        manifest = {
            "run": {"command": "simulate", **asdict(spec), "shards": len(parts)},
            "count": sum(part.count for part in parts),
            "parts": [
                {"part": p.part, "keys": part_names(p.index)[1], "count": p.count}
                for p in parts
            ],
        }
        store.publish_bytes(MANIFEST, json.dumps(manifest, indent=2).encode())
    return RunResult(
        sum(part.count for part in parts),
        sum(part.count for part in parts),
        store.describe(),
        simulation.seed,
        time.monotonic() - started,
        interrupted=interrupted,
    )
