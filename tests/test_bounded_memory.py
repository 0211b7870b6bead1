"""Work is planned lazily: the first output comes at once whatever the count,
and memory does not grow with it (docs/simulation.md, "Memory")."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datagen.engine.actors import LazyActors, make_actor
from datagen.engine.simulation import MAX_ACTORS, Simulation
from datagen.errors import ConfigError
from datagen.runs.blocks import Block, plan_blocks, total_items
from datagen.seeding import derive_seed
from tests.processes import ROOT, generate_command, run_generate

#: Seconds each side of a memory comparison runs.
WATCH_SECONDS = 5.0


def eager_plan(total: int, seed: int, *parts: object, size: int) -> list[Block]:
    """The plan as it was once built, a list of every block: the seeds pinned."""
    return [
        Block(index, start, min(size, total - start), derive_seed(seed, *parts, index))
        for index, start in enumerate(range(0, total, size))
    ]


@pytest.mark.parametrize("total", [0, 1, 999, 1000, 1001, 2500])
def test_a_lazy_plan_has_the_blocks_and_seeds_of_a_list(total: int) -> None:
    blocks = plan_blocks(total, 7, "order", "block", size=1000)
    eager = eager_plan(total, 7, "order", "block", size=1000)
    assert list(blocks) == eager
    assert len(blocks) == len(eager)
    assert [blocks[i] for i in range(len(eager))] == eager
    assert blocks[1:] == eager[1:]
    assert total_items(blocks) == total


def test_a_plan_of_10_to_the_11_costs_nothing() -> None:
    started = time.monotonic()
    blocks = plan_blocks(10**11, 7, "order", "block")
    assert len(blocks) == 10**8
    assert blocks[-1] == Block(
        10**8 - 1, 10**11 - 1000, 1000, derive_seed(7, "order", "block", 10**8 - 1)
    )
    assert total_items(blocks) == 10**11
    assert time.monotonic() - started < 0.1


def test_a_plan_longer_than_an_index_can_say_still_runs() -> None:
    blocks = plan_blocks(10**30, 7, "order", "block")
    assert len(blocks) == sys.maxsize  # len() of the range itself would raise
    assert next(iter(blocks)) == blocks[0]
    assert blocks[10**26].start == 10**29


def test_lazy_actors_are_the_actors_a_list_holds() -> None:
    actors = LazyActors(5, range(10))
    made = [make_actor(5, index) for index in range(10)]
    assert [actor.profile for actor in actors] == [actor.profile for actor in made]
    assert actors[3].rng.random() == made[3].rng.random()
    every_third = actors[1::3]
    assert isinstance(every_third, LazyActors)
    assert [actor.index for actor in every_third] == [1, 4, 7]


def test_a_population_beyond_the_bound_is_refused_at_once() -> None:
    with pytest.raises(ConfigError, match="more than 1,000,000"):
        Simulation("customers", actors=MAX_ACTORS + 1)
    started = time.monotonic()
    result = run_generate("simulate", "customers", "--actors", "99999999999")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: --actors 99999999999 is more than")
    assert time.monotonic() - started < 5


def test_journeys_are_built_when_their_start_comes() -> None:
    # Each journey is built when the merge reaches its start: its built
    # journey's memory is not held from the beginning.
    simulation = Simulation("starfleet", actors=200, seed=3)
    window = simulation.window()
    built: list[int] = []
    journey = simulation.model.journey

    def counting(actor, window):  # type: ignore[no-untyped-def]
        built.append(actor.index)
        return journey(actor, window)

    simulation.model.journey = counting
    stream = simulation.keyed(window)
    first = next(stream)
    assert built == [first[1]]
    events = [first, *stream]
    assert [event[:3] for event in events] == sorted(event[:3] for event in events)
    assert sorted(built) == list(range(200))


def rss_kb(pid: int, field: str = "VmHWM") -> int:
    """A process's peak (VmHWM) or current resident memory, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    # A process that has just exited (a zombie) has no memory lines left.
    raise ProcessLookupError(f"no {field} for {pid}: it has exited")


def watch(  # type: ignore[no-untyped-def]
    argv: list[object], output: Path, seconds: float, after_first=None, **popen
) -> tuple[float, int]:
    """Run generate.py argv for up to `seconds` (or `after_first` seconds once
    output has come): (seconds until `output` had bytes, peak memory in kB)."""
    started = time.monotonic()
    process = subprocess.Popen(
        generate_command(*argv),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.DEVNULL,
        **popen,
    )
    first, peak = float("inf"), 0
    try:
        while time.monotonic() - started < seconds and process.poll() is None:
            try:
                peak = max(peak, rss_kb(process.pid))
            except (FileNotFoundError, ProcessLookupError):
                break
            if first == float("inf") and _has_bytes(output):
                first = time.monotonic() - started
            if after_first is not None and time.monotonic() - started > (
                first + after_first
            ):
                break
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    if first == float("inf") and _has_bytes(output):
        first = time.monotonic() - started
    return first, peak


def _has_bytes(output: Path) -> bool:
    if output.is_dir():
        return any(path.stat().st_size for path in output.rglob("*") if path.is_file())
    return output.exists() and output.stat().st_size > 0


def test_a_huge_document_run_writes_at_once_in_flat_memory(tmp_path: Path) -> None:
    # A file is written under a temporary name in its folder: watch the folder.
    small, huge = tmp_path / "small", tmp_path / "huge"
    small.mkdir(), huge.mkdir()
    common = ["document", "-p", "order", "--format", "jsonl", "-o"]
    small_first, small_peak = watch(
        [*common, small / "o.jsonl", "-q", 10**5], small, WATCH_SECONDS
    )
    first, huge_peak = watch(
        [*common, huge / "o.jsonl", "-q", 10**9], huge, WATCH_SECONDS
    )
    # Within a second of when a small run writes (start-up is the same):
    # planning 10**6 blocks first took over 3 s.
    assert first < small_first + 1.0, (first, small_first)
    assert huge_peak < 1.5 * small_peak, (huge_peak, small_peak)


def test_workers_are_fed_no_faster_than_the_output_is_written(tmp_path: Path) -> None:
    # stdout is a pipe nobody reads: the parent blocks on it, and the workers
    # must wait too rather than pile up their blocks in the parent.
    small = tmp_path / "small.jsonl"
    argv = ["document", "-p", "order", "--format", "jsonl", "--workers", "2"]
    _, small_peak = watch([*argv, "-o", small, "-q", 10**5], tmp_path, WATCH_SECONDS)
    _, stuck_peak = watch(
        [*argv, "-o", "-", "-q", 10**9],
        tmp_path / "none",
        WATCH_SECONDS,
        stdout=subprocess.PIPE,
    )
    assert stuck_peak < 1.5 * small_peak, (stuck_peak, small_peak)


def test_many_journeys_to_a_sink_start_soon_in_bounded_memory(tmp_path: Path) -> None:
    # Every journey used to be built before the first step was sent: 20,000
    # took 26 s and 300 MB before the first step (300,000: 1.3 GB, nothing
    # after 90 s). Now each is built when its start comes.
    folder = tmp_path / "out"
    folder.mkdir()
    sink = f"file:{folder}/x.jsonl"
    first, peak = watch(
        ["journey", "-p", "ecommerce", "-q", 20_000, "--sink", sink],
        folder,
        20.0,
        after_first=1.0,
    )
    assert first < 20.0
    assert peak < 200_000, peak
