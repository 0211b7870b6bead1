"""The service's generators: added (once per equivalent request), looked up,
removed, capped, saved for a restart, and all stopped at the end."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from datagen.redaction import known_secrets
from datagen.seeding import draw_seed
from datagen.service.destinations import Servers
from datagen.service.generator import Generator, Saved
from datagen.service.requests import RequestError, ScheduleSpec
from datagen.service.sources import Source, compile_source
from datagen.service.worker import Job
from datagen.sinks.base import Delivery

#: Modules the fork server imports before forking generators' processes.
PRELOAD = ["datagen.service.worker", "datagen.service.sources", "document_providers"]


@dataclass(frozen=True)
class Limits:
    """What one service takes on at most (each refusal is a 429)."""

    max_generators: int = 100
    #: Events a second, summed over the running generators.
    max_rate: float = 100_000.0
    #: Bytes of a request body (413 past it).
    max_body: int = 2**20
    #: Sample events one preview may ask for.
    max_preview: int = 100


def generator_id(schedule: ScheduleSpec, source: Source) -> str:
    """The id of a schedule: a hash of its destination, its event settings
    and its source's canonical form, as a decimal uint64 (Eventer's shape).
    An unseeded event hashes without a seed, so asking again for the same
    unseeded stream finds the running one."""
    event = schedule.event
    identity = {
        "destination": schedule.destination.identity(),
        "event": {
            "dataset": event.dataset,
            "count": event.count,
            "interval_ns": event.interval_ns,
            "seed": event.seed,
            "source": source.digest,
        },
    }
    digest = hashlib.blake2b(
        orjson.dumps(identity, option=orjson.OPT_SORT_KEYS), digest_size=8
    ).digest()
    return str(int.from_bytes(digest, "big"))


class Generators:
    """The running (and finished) generators of one service."""

    def __init__(
        self,
        servers: Servers,
        limits: Limits = Limits(),
        instance_id: str | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.servers = servers
        self.limits = limits
        self.instance_id = instance_id
        self.on_change = on_change
        self._items: dict[str, Generator] = {}
        self._lock = threading.RLock()
        #: One add at a time: two equal requests at once start one generator.
        self._adding = threading.Lock()
        #: How generators' processes start: a fork server (a fresh
        #: interpreter, started on first use) forks each, so none inherits
        #: the API's threads or locks.
        self.context = multiprocessing.get_context("forkserver")
        # Imported once in the fork server, not again in every generator.
        self.context.set_forkserver_preload(PRELOAD)

    # -- looking up

    def get(self, generator_id: str) -> Generator:
        with self._lock:
            found = self._items.get(generator_id)
        if found is None:
            raise RequestError(404, f"generator with id is not found: {generator_id}")
        return found

    def all(self) -> list[Generator]:
        with self._lock:
            return list(self._items.values())

    def running(self) -> list[Generator]:
        return [item for item in self.all() if item.active]

    def rate(self) -> float:
        return sum(item.schedule.event.rate for item in self.running())

    # -- adding

    def add(self, schedules: list[ScheduleSpec]) -> list[Generator]:
        """A generator per schedule: the running one when an equivalent one
        runs, else a new one. Nothing starts unless every schedule can: a
        broken template is a 400, a cap a 429, a sink that cannot be opened
        a 503, and then no generator of the request has started."""
        with self._adding:
            sources = self._compile(schedules)
            ids = [generator_id(*pair) for pair in zip(schedules, sources)]
            fresh: dict[str, tuple[str, ScheduleSpec, Source]] = {}
            for new_id, schedule, source in zip(ids, schedules, sources):
                if new_id not in fresh and self._running(new_id) is None:
                    fresh[new_id] = (new_id, schedule, source)
            rate = sum(item[1].event.rate for item in fresh.values())
            self._check_limits(len(fresh), rate)
            self._start_all(list(fresh.values()))
            result = [self.get(new_id) for new_id in ids]
        if fresh and self.on_change is not None:
            self.on_change()
        return result

    def resume(self, saved: Saved) -> Generator:
        """A saved generator started again where it stopped (its seed and
        position kept, so the stream continues as if it never stopped)."""
        with self._adding:
            source = compile_source(saved.schedule.event, self.instance_id)
            new_id = generator_id(saved.schedule, source)
            item = (new_id, saved.schedule, source)
            return self._start_all([item], {new_id: saved})[new_id]

    def _compile(self, schedules: list[ScheduleSpec]) -> list[Source]:
        """Each event's source compiled once, however many schedules use it."""
        compiled: dict[int, Source] = {}
        sources = []
        for schedule in schedules:
            key = id(schedule.event)
            if key not in compiled:
                compiled[key] = compile_source(schedule.event, self.instance_id)
            sources.append(compiled[key])
        return sources

    def _running(self, generator_id: str) -> Generator | None:
        with self._lock:
            found = self._items.get(generator_id)
        return found if found is not None and found.active else None

    def _check_limits(self, count: int, rate: float) -> None:
        if not count:
            return
        running = self.running()
        limits = self.limits
        if len(running) + count > limits.max_generators:
            raise RequestError(
                429,
                f"too many generators: {len(running)} run and this request adds "
                f"{count}; the service takes {limits.max_generators} "
                "(datagen serve --max-generators)",
            )
        total = self.rate() + rate
        if total > limits.max_rate:
            raise RequestError(
                429,
                f"too many events a second: {total:,.0f} with this request; the "
                f"service takes {limits.max_rate:,.0f} (datagen serve --max-rate)",
            )

    def _start_all(
        self,
        fresh: list[tuple[str, ScheduleSpec, Source]],
        resumed: dict[str, Saved] | None = None,
    ) -> dict[str, Generator]:
        """Start a process for each (all at once), then wait until each has
        opened its sink; when one cannot, stop the others and raise its error."""
        made: list[Generator] = []
        try:
            for new_id, schedule, source in fresh:
                saved = (resumed or {}).get(new_id)
                seed = saved.seed if saved is not None else schedule.event.seed
                start = saved.produced if saved is not None else 0
                job = Job(
                    new_id,
                    schedule,
                    draw_seed() if seed is None else seed,
                    start,
                    self.servers,
                    self.instance_id,
                    tuple(sorted(known_secrets())),
                )
                carried = saved.counts if saved is not None else (0, 0, 0)
                generator = Generator(job, source.label, self._ended, carried)
                generator.launch(self.context)
                made.append(generator)
            for generator in made:
                generator.ready()
        except BaseException:
            for generator in made:
                generator.signal_stop()
            for generator in made:
                generator.stop(30)
                generator.kill()
            raise
        with self._lock:
            for generator in made:
                self._items[generator.id] = generator
        for generator in made:
            generator.go()
        return {generator.id: generator for generator in made}

    def _ended(self, generator: Generator) -> None:
        if self.on_change is not None:
            self.on_change()

    # -- removing

    def remove(self, generator_id: str) -> Delivery:
        """Stop the generator, flush its sink and forget it; its counts."""
        generator = self.get(generator_id)
        delivery = generator.stop()
        with self._lock:
            self._items.pop(generator_id, None)
        if self.on_change is not None:
            self.on_change()
        return delivery

    def stop_all(self) -> list[tuple[Generator, Delivery]]:
        """Stop every generator (all at once, then wait for each to flush)."""
        items = self.all()
        for item in items:
            item.signal_stop()
        return [(item, item.stop()) for item in items]

    def saved(self) -> list[Saved]:
        """What a restart resumes: the generators still running."""
        return [item.saved() for item in self.running()]
