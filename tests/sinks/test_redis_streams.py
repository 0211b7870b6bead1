"""The Redis Streams sink against the machine's Redis: entries read back with
XRANGE, trimming, the id field's writes once per id, and the command line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
import redis

from datagen.errors import SinkError
from datagen.sinks.redis_streams import RedisStreamSink
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.services import free_port
from tests.sinks.broker_checks import (
    Destination,
    check_cli_run_delivers,
    check_delivers_whole,
    cli_error_line,
    config_error,
    counts,
    fresh,
    open_as,
    open_error,
)
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import unique_topic

#: The tests' own database, so their streams stay out of db 0's way.
DB = 9
SECRET = "S3cretPW"


@dataclass(frozen=True)
class Stream(Destination):
    """A stream key of the test's own and the server ('127.0.0.1:6379') it is on."""

    key: str
    server: str

    @classmethod
    def new(cls, server: str) -> Stream:
        """A stream key no other test uses."""
        return cls(unique_topic("datagen-test"), server)

    def url(self, extra: str = "", server: str = "") -> str:
        """The sink's URL; `server` (a relay's address) in place of the stream's."""
        return f"redis://{server or self.server}/{DB}?stream={self.key}{extra}"

    def client(self) -> redis.Redis:
        host, port = self.server.rsplit(":", 1)
        return redis.Redis(host=host, port=int(port), db=DB)

    def entries(self) -> list[dict[bytes, bytes]]:
        """Every entry's fields, oldest first."""
        entries: Any = self.client().xrange(self.key)  # redis-py types it loosely
        return [fields for _, fields in entries]

    def events(self) -> list[dict[str, Any]]:
        """The events of a stream written with the `data` field."""
        return [orjson.loads(fields[b"data"]) for fields in self.entries()]

    def delete(self) -> None:
        """The stream and its id set."""
        self.client().delete(self.key, f"{self.key}:ids")


@pytest.fixture
def stream(redis_address: str) -> Iterator[Stream]:
    yield from fresh(Stream.new(redis_address))


def test_conformance(stream: Stream) -> None:
    check_delivers_whole(RedisStreamSink, stream.url("&batch=7"), stream.events, 60)


def _flat_equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    for key, value in sent.items():
        shown = received[key]
        assert (shown if isinstance(value, str) else orjson.loads(shown)) == value


def test_conformance_with_flat_fields(stream: Stream) -> None:
    """fields=flat: strings as they are, everything else as its JSON text."""

    def read_back() -> list[dict[str, Any]]:
        return [
            {key.decode(): value.decode() for key, value in fields.items()}
            for fields in stream.entries()
        ]

    check_sink_delivers(
        lambda: open_as(RedisStreamSink, stream.url("&fields=flat")),
        read_back,
        sample_events(40, tag="flat"),
        compare=_flat_equal,
    )
    first = stream.entries()[0]
    assert first[b"address"] == b'{"city":"City 0","postcode":"10000"}'
    assert (first[b"amount"], first[b"active"]) == (b"0.0", b"true")


def test_id_field_writes_each_id_once_across_runs(stream: Stream) -> None:
    events = sample_events(300, tag="once")
    with open_as(RedisStreamSink, stream.url("&id_field=id&batch=50")) as sink:
        sink.send_many(events[:200])
    again = open_as(RedisStreamSink, stream.url("&id_field=id"))
    again.send_many(events)  # the first 200 again, then 100 new ones
    assert counts(again.close()) == (300, 300, 0)
    assert again.written_before == 200
    assert stream.ids() == [event["id"] for event in events]
    assert stream.client().scard(f"{stream.key}:ids") == 300


def test_a_server_that_forgot_the_script_gets_it_again(stream: Stream) -> None:
    """After a restart (or SCRIPT FLUSH) EVALSHA answers NOSCRIPT: the sink
    loads the script again and retries; a stale SHA1 stands in for that here."""
    sink = open_as(RedisStreamSink, stream.url("&id_field=id&batch=40"))
    sink._script = "0" * 40
    sink.send_many(sample_events(40, tag="noscript"))
    delivery = sink.close()
    assert (delivery.acknowledged, delivery.failed, delivery.retried) == (40, 0, 40)
    assert len(stream.events()) == 40


def test_an_event_without_the_id_field_fails_alone(stream: Stream) -> None:
    """As MQTT's event missing a topic field: the events before it are
    written, it fails, the run stops there."""
    events = sample_events(10)
    for event in events[:3]:
        event["user"] = {"id": event["id"]}
    sink = open_as(RedisStreamSink, stream.url("&id_field=user.id&batch=10"))
    with pytest.raises(SinkError) as caught:
        sink.send_many(events)
    assert str(caught.value) == (
        f"{sink.describe()}: event {events[3]['id']!r} has no id field "
        "'user.id' (id_field)"
    )
    assert counts(sink.close()) == (4, 3, 1)
    assert stream.ids() == [event["id"] for event in events[:3]]


def test_an_empty_event_fails_alone_with_flat_fields(stream: Stream) -> None:
    sink = open_as(RedisStreamSink, stream.url("&fields=flat"))
    with pytest.raises(SinkError, match="^redis://.*: an event with no fields"):
        sink.send_many([{}])
    assert counts(sink.close()) == (1, 0, 1)


def test_exact_maxlen_keeps_the_newest(stream: Stream) -> None:
    events = sample_events(1000, tag="trim")
    with open_as(RedisStreamSink, stream.url("&maxlen=150&batch=100")) as sink:
        sink.send_many(events)
    assert sink.delivery.acknowledged == 1000
    assert stream.client().xlen(stream.key) == 150
    assert stream.ids() == [event["id"] for event in events[-150:]]


def test_approximate_maxlen_trims_whole_nodes(stream: Stream) -> None:
    """`MAXLEN ~`: never fewer than maxlen, at most a node (100 entries) more."""
    with open_as(RedisStreamSink, stream.url("&maxlen=150&approximate=1")) as sink:
        sink.send_many(sample_events(2000, tag="approx"))
    assert 150 <= stream.client().xlen(stream.key) <= 250


def test_id_field_trims_too(stream: Stream) -> None:
    with open_as(RedisStreamSink, stream.url("&maxlen=20&id_field=id")) as sink:
        sink.send_many(sample_events(100, tag="trim-once"))
    assert stream.client().xlen(stream.key) == 20


def test_a_key_that_is_not_a_stream_is_refused(stream: Stream) -> None:
    stream.client().set(stream.key, "plain")
    with pytest.raises(SinkError, match="holds a string, not a stream"):
        open_sink(stream.url())


def test_a_refused_login_is_one_line_without_the_password(stream: Stream) -> None:
    url = stream.url(server=f"nobody:{SECRET}@{stream.server}")
    assert open_error(url, SECRET).startswith("redis://nobody:***@127.0.0.1")


@pytest.mark.parametrize(
    "url, message",
    [
        ("redis://127.0.0.1/0", r"needs \?stream=\.\.\."),
        ("redis://127.0.0.1/0?stream=", r"needs \?stream=\.\.\."),
        ("redis://127.0.0.1/0?stream=s&maxln=5", "unknown option 'maxln'"),
        ("redis://127.0.0.1/0?stream=s&maxlen=0", "maxlen must be 1 or more"),
        ("redis://127.0.0.1/0?stream=s&maxlen=ten", "not a number"),
        ("redis://127.0.0.1/0?stream=s&fields=nested", "fields must be data or flat"),
        ("redis://127.0.0.1/zero?stream=s", r"database number \(/0\)"),
        (f"redis://:{SECRET}@127.0.0.1:port/0?stream=s", "port must be a number"),
        ("rediss://127.0.0.1/0?stream=s&approximate=maybe", "must be 1 or 0"),
        ("redis://127.0.0.1/0?stream=s&ssl_ca_certs=/ca.pem", "need rediss://"),
        ("rediss://127.0.0.1/0?stream=s&ssl_cert_reqs=some", "required, optional"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    assert re.search(message, config_error(url, SECRET))


def test_a_closed_port_fails_at_once() -> None:
    url = f"redis://:{SECRET}@127.0.0.1:{free_port()}/{DB}?stream=s"
    assert "cannot connect to 127.0.0.1:" in open_error(url, SECRET)


# The command line


def test_a_run_writes_every_document(stream: Stream) -> None:
    url = stream.url(server=f":{SECRET}@{stream.server}")
    check_cli_run_delivers(url, stream.events, secret=SECRET)


@pytest.mark.parametrize(
    "url, message",
    [
        ("redis://:{secret}@{server}/9?stream=s&colour=red", "'colour'"),
        ("redis://:{secret}@127.0.0.1:{closed}/9?stream=s", "cannot connect"),
    ],
)
def test_a_bad_sink_fails_the_run_in_one_line(
    url: str, message: str, redis_address: str
) -> None:
    url = url.format(secret=SECRET, server=redis_address, closed=free_port())
    assert message in cli_error_line(url, SECRET)


def test_a_missing_id_field_fails_the_run_in_one_line(stream: Stream) -> None:
    """The counts, then one Error line naming the sink and the field."""
    url = stream.url("&id_field=nosuch")
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 5, "--sink", url, timeout=30
    )
    assert result.returncode != 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, result.stderr
    assert lines[0].strip() == f"{url}: sent 1, acknowledged 0, failed 1"
    assert re.fullmatch(
        f"Error: {re.escape(url)}: event '[^']+' has no id field 'nosuch' "
        r"\(id_field\)",
        lines[1],
    ), lines[1]
    assert stream.entries() == []
