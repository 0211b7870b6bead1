"""The NATS JetStream sink against the machine's nats-server: messages read back
from a fresh stream per test, deleted afterwards."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest

from datagen.errors import SinkError
from datagen.sinks.nats import MSG_ID, NatsOptions, NatsSink
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.services import free_port
from tests.sinks.broker_checks import (
    Destination,
    JsonMessage,
    check_cli_run_delivers,
    check_delivers_whole,
    check_give_up_fails_the_unpublished,
    cli_error_line,
    config_error,
    counts,
    fresh,
    open_as,
    open_error,
)
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic

SECRET = "S3cretNatsPw"


@dataclass(frozen=True)
class Stream(Destination):
    """A JetStream stream of the test's own, the one subject it takes, and
    the server ('127.0.0.1:4222') it is on."""

    name: str
    subject: str
    server: str

    @classmethod
    def new(cls, server: str) -> Stream:
        """A stream name and subject no one uses."""
        name = unique_topic("nats")
        return cls(name, "datagen." + name.replace("-", "."), server)

    def url(self, extra: str = "", server: str = "") -> str:
        """The sink's URL; `server` (a relay's address) in place of the stream's."""
        where = server or self.server
        return f"nats://{where}/{self.subject}?stream={self.name}{extra}"

    def messages(self) -> list[Message]:
        """Every message the stream holds, in order."""
        return asyncio.run(self._read())

    def delete(self) -> None:
        asyncio.run(self._delete())

    async def _read(self) -> list[Message]:
        client = await nats.connect(f"nats://{self.server}")
        try:
            js = client.jetstream()
            state = (await js.stream_info(self.name)).state
            found = []
            for seq in range(state.first_seq, state.last_seq + 1):
                raw = await js.get_msg(self.name, seq)
                headers = raw.headers or {}
                found.append(Message(raw.data or b"", headers.get(MSG_ID)))
            return found
        finally:
            await client.close()

    async def _delete(self) -> None:
        client = await nats.connect(f"nats://{self.server}")
        try:
            await client.jetstream().delete_stream(self.name)
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await client.close()


@dataclass(frozen=True)
class Message(JsonMessage):
    msg_id: str | None


@pytest.fixture
def stream(nats_address: str) -> Iterator[Stream]:
    yield from fresh(Stream.new(nats_address))


def test_conformance(stream: Stream) -> None:
    check_delivers_whole(NatsSink, stream.url("&create=1&batch=64"), stream.events)
    messages = stream.messages()
    assert all(b"\n" not in message.body for message in messages)
    assert [m.msg_id for m in messages] == [m.event["id"] for m in messages]


def test_a_rerun_within_the_duplicate_window_stores_nothing_twice(
    stream: Stream,
) -> None:
    events = sample_events(120, tag="again")
    with open_as(NatsSink, stream.url("&create=1")) as first:
        first.send_many(events)
    second = open_as(NatsSink, stream.url())
    with second:
        second.send_many(events)
    assert counts(second.delivery) == (120, 120, 0)
    assert second.duplicates == 120
    assert len(stream.messages()) == 120


def test_message_id_from_another_field(stream: Stream) -> None:
    events = [{"id": index, "order": {"no": f"o-{index % 3}"}} for index in range(9)]
    sink = open_as(NatsSink, stream.url("&create=1&msg_id=order.no"))
    with sink:
        sink.send_many(events)
    # Nine events, three message ids: JetStream keeps the first of each.
    assert (sink.delivery.acknowledged, sink.duplicates) == (9, 6)
    assert [m.msg_id for m in stream.messages()] == ["o-0", "o-1", "o-2"]


def test_cli_run_delivers_every_account(stream: Stream) -> None:
    check_cli_run_delivers(stream.url("&create=1"), stream.events)


@pytest.mark.parametrize(
    "url, within, expected",
    [
        (
            "nats://alice:{secret}@{server}/a.b?stream=S&colour=red",
            15,
            ["unknown option 'colour'", "alice:***@"],
        ),
        (
            "nats://alice:{secret}@127.0.0.1:{closed}/a.b?connect_timeout=2",
            2 + 10,  # connect_timeout + start-up
            ["no answer from", "within 2 s", "Connect call failed"],
        ),
        (
            "nats://{secret}@{server}/a.b?stream=S&colour=red",
            15,
            ["unknown option 'colour'", "nats://***@"],
        ),
    ],
    ids=["bad option", "closed port", "a token and a bad option"],
)
def test_a_bad_sink_fails_the_run_in_one_line(
    url: str, within: float, expected: list[str], nats_address: str
) -> None:
    url = url.format(secret=SECRET, server=nats_address, closed=free_port())
    line = cli_error_line(url, SECRET, within)
    assert all(part in line for part in expected), line


def test_missing_stream_and_wrong_stream_are_named(stream: Stream) -> None:
    with pytest.raises(SinkError, match="no JetStream stream takes subject") as caught:
        open_as(NatsSink, stream.url())
    assert "add create=1" in str(caught.value)
    open_as(NatsSink, stream.url("&create=1")).close()
    with pytest.raises(SinkError, match=f"goes to stream '{stream.name}', not 'X'"):
        open_sink(f"nats://{stream.server}/{stream.subject}?stream=X")


def test_give_up_fails_what_was_never_published(stream: Stream) -> None:
    check_give_up_fails_the_unpublished(
        open_as(NatsSink, stream.url("&create=1&batch=100"))
    )


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
    assert re.search(message, config_error(url))


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
        assert "***@127.0.0.1:1" in open_error(url + "?connect_timeout=0.5", SECRET)


def test_a_token_is_hidden_in_the_summary_manifest_and_checkpoint(
    stream: Stream, tmp_path: Path
) -> None:
    """nats://TOKEN@host: the token is a secret like a password, wherever the
    sink is named (it was shown whole everywhere but in connect errors)."""
    url = stream.url("&create=1", server=f"{SECRET}@{stream.server}")
    accounts = ("document", "-p", "starfleet_account", "-q", 30, "--seed", 1)
    shown = []
    for recorded in ("--manifest", "--checkpoint"):  # one of them a run
        result = run_generate(
            *accounts, "--sink", url, recorded, tmp_path / recorded.strip("-")
        )
        assert result.returncode == 0, result.stderr
        assert "nats://***@" in result.stderr
        shown += [result.stdout, result.stderr]
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 2
    for text in shown + written:
        assert SECRET not in text
    assert len(stream.messages()) == 30
