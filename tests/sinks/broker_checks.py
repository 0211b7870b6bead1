"""What the broker sinks' tests (NATS, RabbitMQ, Redis Streams, MQTT) check
alike, written once: a sink of the kind a URL must make, the test's own
stream or queue read back and deleted after, errors at start and bad URLs
in one line without the password, a 500-account CLI run read back, a failed
CLI run in one line, give_up() on a buffered batch, and the fault tests'
sending through a relay that is broken and mended on timers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.relay_for_brokers import Relay

SinkT = TypeVar("SinkT", bound=BaseSink)
#: The fault tests' batch: events are sent (and written) this many at a time.
BATCH = 100
#: How many accounts a CLI run sends.
ACCOUNTS = 500


def open_as(kind: type[SinkT], url: str) -> SinkT:
    """open_sink(url), which must make a `kind` (typed for the test)."""
    sink = open_sink(url)
    assert isinstance(sink, kind), sink
    return sink


def open_error(url: str, secret: str = "", within: float = 5) -> str:
    """The SinkError opening a sink on url raises, within `within` seconds:
    one line, without the secret."""
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        open_sink(url)
    assert time.monotonic() - started < within
    message = str(caught.value)
    assert "\n" not in message and not (secret and secret in message), message
    return message


def config_error(url: str, secret: str = "") -> str:
    """The ConfigError a bad sink URL makes, without the secret."""
    with pytest.raises(ConfigError) as caught:
        open_sink(url)
    message = str(caught.value)
    assert not (secret and secret in message), message
    return message


@dataclass(frozen=True)
class JsonMessage:
    """A message read back from a broker, its body an event's JSON."""

    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return orjson.loads(self.body)


class Destination:
    """A stream or queue of a test's own on a broker's server: what it
    holds, read back, and its deletion after the test."""

    def messages(self) -> Sequence[JsonMessage]:
        """Every message it holds, oldest first."""
        raise NotImplementedError

    def events(self) -> list[dict[str, Any]]:
        return [message.event for message in self.messages()]

    def ids(self) -> list[str]:
        return [event["id"] for event in self.events()]

    def delete(self) -> None:
        raise NotImplementedError


DestinationT = TypeVar("DestinationT", bound=Destination)


def fresh(destination: DestinationT) -> Iterator[DestinationT]:
    """A fixture's body: the destination, deleted after the test."""
    try:
        yield destination
    finally:
        destination.delete()


def _same_event(sent: dict[str, Any], received: dict[str, Any]) -> None:
    """check_sink_delivers' compare for sinks that send the whole event."""
    assert received == sent


def check_delivers_whole(
    kind: type[BaseSink],
    url: str,
    read_back: Callable[[], list[dict[str, Any]]],
    count: int = 300,
) -> None:
    """The conformance check (conformance.check_sink_delivers) for a sink
    that sends whole events: `count` of them sent to url, read_back() finds
    each once, equal to what was sent."""
    check_sink_delivers(
        lambda: open_as(kind, url),
        read_back,
        sample_events(count, tag=kind.name),
        compare=_same_event,
    )


def counts(delivery: Delivery) -> tuple[int, int, int]:
    """(sent, acknowledged, failed)."""
    return delivery.sent, delivery.acknowledged, delivery.failed


# The command line


def check_cli_run_delivers(
    url: str, read_back: Callable[[], list[dict[str, Any]]], secret: str = ""
) -> None:
    """ACCOUNTS starfleet accounts through the CLI into url: every one
    acknowledged, the secret nowhere in the output, and read_back() (which
    may wait for them) finds each once, whole."""
    result = run_generate(
        "document",
        "-p",
        "starfleet_account",
        "-q",
        ACCOUNTS,
        "--seed",
        1,
        "--sink",
        url,
    )
    assert result.returncode == 0, result.stderr
    assert f"sent {ACCOUNTS}, acknowledged {ACCOUNTS}, failed 0" in result.stderr
    assert not secret or secret not in result.stdout + result.stderr
    events = read_back()
    assert len({event["id"] for event in events}) == len(events) == ACCOUNTS
    assert {"surname", "forename", "auth"} <= set(events[0])


def cli_error_line(url: str, secret: str, within: float = 15) -> str:
    """The one line a CLI run into url fails with, within `within` seconds
    (Python's start and imports on a loaded machine included): no traceback,
    and the secret nowhere in the output."""
    started = time.monotonic()
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 5, "--sink", url, timeout=30
    )
    assert time.monotonic() - started < within
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and secret not in output, output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    return errors[0]


def check_give_up_fails_the_unpublished(sink: BaseSink) -> None:
    """A batching sink (batch over 40) holding 40 events gives up at once:
    they were never published, so all failed, none unknown."""
    sink.send_many(sample_events(40, tag="held"))
    started = time.monotonic()
    delivery = sink.give_up()
    assert time.monotonic() - started < 2
    assert counts(delivery) == (40, 0, 40)
    assert delivery.unknown == 0


# Faults through a relay


@contextmanager
def scheduled(*steps: tuple[float, Callable[[], None]]) -> Iterator[None]:
    """Each (seconds, action): action() that long after entering, on a timer
    of its own; leaving waits for every one."""
    timers = [threading.Timer(seconds, action) for seconds, action in steps]
    for timer in timers:
        timer.start()
    try:
        yield
    finally:
        for timer in timers:
            timer.join()


@contextmanager
def held_then_cut(
    relay: Relay, hold: Callable[[], None], cut: float, restore: float
) -> Iterator[None]:
    """hold() the relay's bytes now (pause, hold_replies), cut the relay
    `cut` seconds in (the held bytes are lost), let connections in again at
    `restore`; leaving waits for both."""
    hold()
    with scheduled((cut, relay.cut), (restore, relay.restore)):
        yield


def send_in_batches(sink: BaseSink, events: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(events), BATCH):
        sink.send_many(events[start : start + BATCH])


def send_while_paused(
    sink: BaseSink, relay: Relay, events: Sequence[dict[str, Any]], seconds: float
) -> None:
    """Pause the relay and send events in batches, the relay resumed by a
    timer `seconds` later: the sending must have waited for it."""
    relay.pause()
    with scheduled((seconds, relay.resume)):
        started = time.monotonic()
        send_in_batches(sink, events)
        waited = time.monotonic() - started
    assert waited >= 0.8 * seconds, "the pause did not hold the run"


def send_with_fault(
    sink: BaseSink,
    events: Sequence[dict[str, Any]],
    fault: Callable[[], None],
    mend: Callable[[], None],
    seconds: float,
) -> tuple[Delivery, float]:
    """events in batches of BATCH; before the 6th batch fault() breaks the
    relay, and a timer mends it `seconds` later. Every event must count
    acknowledged, some retried; returns the counts and how long sending and
    closing took."""
    started = time.monotonic()
    send_in_batches(sink, events[: 5 * BATCH])
    fault()
    with scheduled((seconds, mend)):
        send_in_batches(sink, events[5 * BATCH :])
        delivery = sink.close()
    elapsed = time.monotonic() - started
    assert counts(delivery) == (len(events), len(events), 0)
    assert delivery.retried > 0, "the fault did not interrupt the run"
    return delivery, elapsed


def give_up_after_cut(
    sink: BaseSink, relay: Relay, events: Sequence[dict[str, Any]], kept: int
) -> tuple[str, float]:
    """Send events[:kept] in batches and wait for them; cut the relay for
    good; the rest, sent at once, must raise a one-line SinkError naming the
    sink once. Returns its message and how long the sink took to give up."""
    send_in_batches(sink, events[:kept])
    sink.flush()
    relay.cut()
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        sink.send_many(events[kept:])
    elapsed = time.monotonic() - started
    message = str(caught.value)
    scheme = sink.describe().split("//", 1)[0] + "//"
    assert "\n" not in message and message.startswith(sink.describe() + ": ")
    assert message.count(scheme) == 1, message
    return message, elapsed


def check_gone_for_good(
    sink: BaseSink, relay: Relay, read_ids: Callable[[], list[str]], at_least: float
) -> str:
    """200 of 500 events delivered, then the relay cut for good: the sink
    gives up after at least `at_least` seconds (its retries), the 300 left
    count failed, and the server holds the 200 once each. Returns the
    error's message."""
    events = sample_events(500, tag="gone")
    message, elapsed = give_up_after_cut(sink, relay, events, kept=200)
    assert at_least <= elapsed < 8
    assert counts(sink.close()) == (500, 200, 300)
    assert sorted(read_ids()) == [event["id"] for event in events[:200]]
    return message
