"""The NATS JetStream sink against the machine's nats-server: messages read back
from a fresh stream per test, deleted afterwards."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import nats
import orjson
import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.nats import MSG_ID, NatsOptions, NatsSink
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.services import free_port
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import unique_topic

SERVER = "127.0.0.1:4222"
SECRET = "S3cretNatsPw"


@dataclass(frozen=True)
class Stream:
    """A JetStream stream of the test's own and the one subject it takes."""

    name: str
    subject: str

    def url(self, extra: str = "", server: str = SERVER) -> str:
        return f"nats://{server}/{self.subject}?stream={self.name}{extra}"


@dataclass(frozen=True)
class Message:
    body: bytes
    msg_id: str | None

    @property
    def event(self) -> dict[str, Any]:
        return orjson.loads(self.body)


async def _read(stream: str) -> list[Message]:
    client = await nats.connect(f"nats://{SERVER}")
    try:
        js = client.jetstream()
        state = (await js.stream_info(stream)).state
        found = []
        for seq in range(state.first_seq, state.last_seq + 1):
            raw = await js.get_msg(stream, seq)
            headers = raw.headers or {}
            found.append(Message(raw.data or b"", headers.get(MSG_ID)))
        return found
    finally:
        await client.close()


def read_stream(stream: str) -> list[Message]:
    """Every message the stream holds, in order."""
    return asyncio.run(_read(stream))


async def _delete(stream: str) -> None:
    client = await nats.connect(f"nats://{SERVER}")
    try:
        await client.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await client.close()


def open_nats(url: str) -> NatsSink:
    sink = open_sink(url)
    assert isinstance(sink, NatsSink)
    return sink


@contextmanager
def fresh_stream() -> Iterator[Stream]:
    """A stream name and subject no one uses; the stream is deleted afterwards."""
    name = unique_topic("nats")
    try:
        yield Stream(name, "datagen." + name.replace("-", "."))
    finally:
        asyncio.run(_delete(name))


@pytest.fixture
def stream() -> Iterator[Stream]:
    with fresh_stream() as stream:
        yield stream


def test_conformance(stream: Stream) -> None:
    events = sample_events(300, tag="nats")
    check_sink_delivers(
        lambda: open_nats(stream.url("&create=1&batch=64")),
        lambda: [message.event for message in read_stream(stream.name)],
        events,
        compare=lambda sent, received: _equal(sent, received),
    )
    messages = read_stream(stream.name)
    assert all(b"\n" not in message.body for message in messages)
    assert [m.msg_id for m in messages] == [m.event["id"] for m in messages]


def _equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


def test_a_rerun_within_the_duplicate_window_stores_nothing_twice(
    stream: Stream,
) -> None:
    events = sample_events(120, tag="again")
    with open_nats(stream.url("&create=1")) as first:
        first.send_many(events)
    second = open_nats(stream.url())
    with second:
        second.send_many(events)
    delivery = second.delivery
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (120, 120, 0)
    assert second.duplicates == 120
    assert len(read_stream(stream.name)) == 120


def test_message_id_from_another_field(stream: Stream) -> None:
    events = [{"id": index, "order": {"no": f"o-{index % 3}"}} for index in range(9)]
    sink = open_nats(stream.url("&create=1&msg_id=order.no"))
    with sink:
        sink.send_many(events)
    # Nine events, three message ids: JetStream keeps the first of each.
    assert (sink.delivery.acknowledged, sink.duplicates) == (9, 6)
    assert [m.msg_id for m in read_stream(stream.name)] == ["o-0", "o-1", "o-2"]


def test_cli_run_delivers_every_account(stream: Stream) -> None:
    url = stream.url("&create=1")
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 500, "--seed", 1, "--sink", url
    )
    assert result.returncode == 0, result.stderr
    assert "sent 500, acknowledged 500, failed 0" in result.stdout + result.stderr
    ids = [message.event["id"] for message in read_stream(stream.name)]
    assert len(ids) == len(set(ids)) == 500


def _one_error_line(result: Any) -> str:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and SECRET not in output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, output
    return errors[0]


def test_cli_bad_option_is_one_line_without_the_password() -> None:
    url = f"nats://alice:{SECRET}@{SERVER}/a.b?stream=S&colour=red"
    result = run_generate("document", "-p", "starfleet_account", "-q", 5, "--sink", url)
    line = _one_error_line(result)
    assert "unknown option 'colour'" in line and "alice:***@" in line


def test_cli_unreachable_server_fails_fast_in_one_line() -> None:
    url = f"nats://alice:{SECRET}@127.0.0.1:{free_port()}/a.b?connect_timeout=2"
    started = time.monotonic()
    result = run_generate("document", "-p", "starfleet_account", "-q", 5, "--sink", url)
    line = _one_error_line(result)
    assert time.monotonic() - started < 2 + 10  # connect_timeout + start-up
    assert "no answer from" in line and "within 2 s" in line
    assert "Connect call failed" in line


def test_missing_stream_and_wrong_stream_are_named(stream: Stream) -> None:
    with pytest.raises(SinkError, match="no JetStream stream takes subject") as caught:
        open_nats(stream.url())
    assert "add create=1" in str(caught.value)
    open_nats(stream.url("&create=1")).close()
    with pytest.raises(SinkError, match=f"goes to stream '{stream.name}', not 'X'"):
        open_sink(f"nats://{SERVER}/{stream.subject}?stream=X")


def test_give_up_fails_what_was_never_published(stream: Stream) -> None:
    sink = open_nats(stream.url("&create=1&batch=100"))
    sink.send_many(sample_events(40, tag="held"))
    started = time.monotonic()
    delivery = sink.give_up()
    assert time.monotonic() - started < 2
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (40, 0, 40)
    assert delivery.unknown == 0


@pytest.mark.parametrize(
    "url, message",
    [
        ("nats://h/", "subject '' must be"),
        ("nats://h/a.*", "subject 'a.\\*' must be"),
        ("nats://h/a?stream=x.y", "stream 'x.y' must have no"),
        ("nats://h/a?create=1", "create=1 needs stream=NAME"),
        ("nats://h/a?batch=0", "batch must be 1-4000"),
        ("nats://h/a?ack_timeout=0", "must be > 0"),
        ("nats://h/a?batch=many", "not a number"),
        ("nats://h/a?strem=s", "unknown option 'strem'"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_sink(url)


def test_options_and_secrets_from_the_url() -> None:
    options = NatsOptions.from_url(
        "nats://al%40ce:p%2Fw@nats.internal/orders.new?msg_id=order_id&retry_seconds=7"
    )
    assert (options.host, options.port, options.subject) == (
        "nats.internal",
        4222,
        "orders.new",
    )
    assert (options.user, options.password, options.token) == ("al@ce", "p/w", None)
    assert (options.key, options.timeout, options.create) == ("order_id", 7.0, False)
    token = NatsOptions.from_url("nats://t0ken@h:4333/a")
    assert (token.token, token.user, token.port) == ("t0ken", None, 4333)


def test_describe_hides_passwords_and_tokens() -> None:
    for url in (f"nats://al:{SECRET}@127.0.0.1:1/a", f"nats://{SECRET}@127.0.0.1:1/a"):
        with pytest.raises(SinkError) as caught:
            open_sink(url + "?connect_timeout=0.5")
        assert SECRET not in str(caught.value) and "***@127.0.0.1:1" in str(
            caught.value
        )
