"""The injector on its own: the same faults whatever the batching and form,
each kind's change, the kinds a stream cannot take, and the spec."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta, timezone

import orjson
import pytest

from datagen.encoders import dumps_line
from datagen.errors import ConfigError
from datagen.faults import FaultInjector, FaultLog, StreamShape, parse_faults
from datagen.faults.spec import FAULT_KINDS
from tests.faults.reader import check

EVERY = (
    ",".join(f"{kind}=0.02" for kind in FAULT_KINDS if kind != "dangling")
    + ",dangling=0.02"
)
START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def events(count: int, seed: int = 1) -> list[dict[str, object]]:
    """Time-ordered events of 40 sessions, with a number, a flag, a date and
    a reference each."""
    rng = random.Random(seed)
    return [
        {
            "event_time": (START + timedelta(seconds=at)).isoformat()[:19] + "Z",
            "session_id": f"s{rng.randrange(40)}",
            "amount": rng.randrange(1, 500),
            "paid": rng.random() < 0.5,
            "born": f"19{rng.randrange(50, 99)}-01-0{rng.randrange(1, 9)}",
            "customer_id": f"c{rng.randrange(1000)}",
        }
        for at in range(count)
    ]


def faulted(
    records: list[dict[str, object]], size: int, lines: bool, spec: str = EVERY,
    paced: bool = False,
) -> tuple[bytes, bytes]:  # fmt: skip
    """The faulted stream as JSON lines, and its manifest, fed in batches of size."""
    shape = StreamShape("s", references={"customer_id": "customers.id"}, ordered=True)
    log = FaultLog("s", keep=True)
    injector = FaultInjector(parse_faults(spec), shape, 11, log, paced=paced)
    written: list[bytes] = []

    def take(emitted):  # type: ignore[no-untyped-def]
        if emitted is None:
            return
        for at, item in enumerate(emitted.items):
            if emitted.lines:
                written.append(item)
            else:
                broken = emitted.broken.get(at)
                written.append(broken.line if broken is not None else dumps_line(item))

    for start in range(0, len(records), size):
        chunk = records[start : start + size]
        items = [dumps_line(record) for record in chunk] if lines else list(chunk)
        take(injector.feed(items, None, lines))
    take(injector.finish())
    manifest = io.BytesIO()
    log.copy_to(manifest)
    return b"".join(written), manifest.getvalue()


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    return events(6000)


def test_the_faults_do_not_depend_on_batching_or_form(records):
    first = faulted(records, 1000, lines=False)
    assert first[1]  # some faults
    for size, lines in ((1, False), (7, True), (2048, False), (6000, True)):
        assert faulted(records, size, lines) == first, (size, lines)


def test_every_kind_is_found_where_the_manifest_says(records):
    data, manifest = faulted(records, 500, lines=True)
    entries = [orjson.loads(line) for line in manifest.splitlines()]
    lines = data.split(b"\n")[:-1]
    others = [entry for entry in entries if entry["fault"] != "dangling"]
    counts = check(lines, others, "s", "session_id", "event_time")
    assert set(counts) | {"dangling"} == set(FAULT_KINDS)
    for entry in entries:
        if entry["fault"] == "dangling":
            record = orjson.loads(lines[entry["index"]])
            assert record["customer_id"].startswith("dangling-")
            assert entry["original"].startswith("c")


def test_a_paced_stream_holds_nothing_back(records):
    shape = StreamShape("s", ordered=True)
    injector = FaultInjector(parse_faults("null=0.1"), shape, 1, FaultLog("s"), True)
    emitted = injector.feed(list(records[:10]), [1.0] * 10, False)
    assert emitted is not None and len(emitted.items) == 10
    assert emitted.times == [1.0] * 10


def test_a_duplicate_only_stream_ends_and_doubles():
    data, manifest = faulted(events(50), 10, False, "duplicate=1")
    assert len(data.splitlines()) == 100 and len(manifest.splitlines()) == 50


def test_settle_forgets_the_faults_of_records_not_written(records):
    log = FaultLog("s", keep=True)
    shape = StreamShape("s", ordered=True)
    injector = FaultInjector(parse_faults("null=0.05"), shape, 3, log)
    injector.feed(list(records), None, False)
    injector.finish()
    total = log.total
    injector.settle(1000)
    out = io.BytesIO()
    log.copy_to(out)
    indexes = [orjson.loads(line)["index"] for line in out.getvalue().splitlines()]
    assert indexes and max(indexes) < 1000 and log.total == len(indexes) < total


@pytest.mark.parametrize(
    "spec, shape, message",
    [
        ("late=0.1", StreamShape("s"), "--faults late: stream 's' has no time field"),
        ("out_of_order=0.1", StreamShape("s"), "out_of_order: stream 's' has no time"),
        ("dangling=0.1", StreamShape("s"), "dangling: stream 's' has no reference"),
    ],
)
def test_a_kind_that_cannot_apply_is_named(spec, shape, message):
    records = [{"name": "x", "n": 1}] * 5
    with pytest.raises(ConfigError, match=message):
        injector = FaultInjector(parse_faults(spec), shape, 1, FaultLog("s"))
        injector.feed(records, None, False)
        injector.finish()


def test_a_zero_rate_needs_nothing():
    injector = FaultInjector(
        parse_faults("late=0,dangling=0"), StreamShape("s"), 1, FaultLog("s")
    )
    emitted = injector.feed([{"a": 1}] * 3, None, False)
    assert emitted is not None and len(emitted.items) == 3


def test_the_spec_reads_percentages_and_a_lag():
    spec = parse_faults("null=1%, late=0.5%,lag=1h")
    assert spec.rates == {"null": 0.01, "late": 0.005} and spec.lag == 3600
    assert spec.text() == "null=0.01,late=0.005,lag=1h"
    assert parse_faults(spec.text()) == spec


@pytest.mark.parametrize(
    "text", ["lag=10m,lag=1h", "lag=1h,lag=1h", "lag=10m,lag=10m", "null=0.1,null=0"]
)
def test_an_option_given_twice_is_refused(text):
    with pytest.raises(ConfigError, match="is given twice"):
        parse_faults(text)


def test_the_spec_text_reads_back_as_the_same_spec():
    for text in ("null=0.0012345678,late=1e-07,lag=90.25", "drift=0.3,lag=1h30m"):
        spec = parse_faults(text)
        assert parse_faults(spec.text()) == spec
    assert parse_faults("null=0.0012345678").text() == "null=0.0012345678"
