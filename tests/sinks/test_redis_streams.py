"""The Redis Streams sink against the machine's Redis: entries read back with
XRANGE, trimming, the id field's writes once per id, and the command line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import redis

from datagen.errors import ConfigError, SinkError
from datagen.sinks.redis_streams import RedisStreamSink
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.services import free_port
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import unique_topic

REDIS_PORT = 6379
#: The tests' own database, so their streams stay out of db 0's way.
DB = 9


def redis_url(stream: str, extra: str = "", port: int = REDIS_PORT) -> str:
    return f"redis://127.0.0.1:{port}/{DB}?stream={stream}{extra}"


def read_stream(stream: str) -> list[dict[bytes, bytes]]:
    """Every entry's fields, oldest first."""
    client = redis.Redis(port=REDIS_PORT, db=DB)
    entries: Any = client.xrange(stream)  # redis-py types it loosely
    return [fields for _, fields in entries]


def read_events(stream: str) -> list[dict[str, Any]]:
    """The events of a stream written with the `data` field."""
    return [orjson.loads(fields[b"data"]) for fields in read_stream(stream)]


def open_redis(url: str) -> RedisStreamSink:
    sink = open_sink(url)
    assert isinstance(sink, RedisStreamSink)
    return sink


@pytest.fixture
def stream() -> Iterator[str]:
    """A fresh stream key, deleted (with its id set) afterwards."""
    yield from fresh_stream()


def fresh_stream() -> Iterator[str]:
    """A stream key no other test uses; its key and id set deleted after."""
    client = redis.Redis(port=REDIS_PORT, db=DB)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis does not answer on 127.0.0.1:{REDIS_PORT}", pytrace=False)
    key = unique_topic("datagen-test")
    yield key
    client.delete(key, f"{key}:ids")


def _equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


def test_conformance(stream: str) -> None:
    check_sink_delivers(
        lambda: open_redis(redis_url(stream, "&batch=7")),
        lambda: read_events(stream),
        sample_events(60, tag="redis"),
        compare=_equal,
    )


def _flat_equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    for key, value in sent.items():
        shown = received[key]
        assert (shown if isinstance(value, str) else orjson.loads(shown)) == value


def test_conformance_with_flat_fields(stream: str) -> None:
    """fields=flat: strings as they are, everything else as its JSON text."""

    def read_back() -> list[dict[str, Any]]:
        return [
            {key.decode(): value.decode() for key, value in fields.items()}
            for fields in read_stream(stream)
        ]

    check_sink_delivers(
        lambda: open_redis(redis_url(stream, "&fields=flat")),
        read_back,
        sample_events(40, tag="flat"),
        compare=_flat_equal,
    )
    first = read_stream(stream)[0]
    assert first[b"address"] == b'{"city":"City 0","postcode":"10000"}'
    assert (first[b"amount"], first[b"active"]) == (b"0.0", b"true")


def test_id_field_writes_each_id_once_across_runs(stream: str) -> None:
    events = sample_events(300, tag="once")
    with open_redis(redis_url(stream, "&id_field=id&batch=50")) as sink:
        sink.send_many(events[:200])
    again = open_redis(redis_url(stream, "&id_field=id"))
    again.send_many(events)  # the first 200 again, then 100 new ones
    delivery = again.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (300, 300, 0)
    assert again.written_before == 200
    ids = [event["id"] for event in read_events(stream)]
    assert ids == [event["id"] for event in events]
    assert redis.Redis(db=DB).scard(f"{stream}:ids") == 300


def test_a_server_that_forgot_the_script_gets_it_again(stream: str) -> None:
    """After a restart (or SCRIPT FLUSH) EVALSHA answers NOSCRIPT: the sink
    loads the script again and retries; a stale SHA1 stands in for that here."""
    sink = open_redis(redis_url(stream, "&id_field=id&batch=40"))
    sink._script = "0" * 40
    sink.send_many(sample_events(40, tag="noscript"))
    delivery = sink.close()
    assert (delivery.acknowledged, delivery.failed, delivery.retried) == (40, 0, 40)
    assert len(read_events(stream)) == 40


def test_an_event_without_the_id_field_fails_its_batch(stream: str) -> None:
    sink = open_redis(redis_url(stream, "&id_field=user.id&batch=10"))
    with pytest.raises(SinkError, match="no id field 'user.id'"):
        sink.send_many(sample_events(10))
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (10, 0, 10)
    assert read_stream(stream) == []


def test_exact_maxlen_keeps_the_newest(stream: str) -> None:
    events = sample_events(1000, tag="trim")
    with open_redis(redis_url(stream, "&maxlen=150&batch=100")) as sink:
        sink.send_many(events)
    assert sink.delivery.acknowledged == 1000
    assert redis.Redis(db=DB).xlen(stream) == 150
    assert [event["id"] for event in read_events(stream)] == [
        event["id"] for event in events[-150:]
    ]


def test_approximate_maxlen_trims_whole_nodes(stream: str) -> None:
    """`MAXLEN ~`: never fewer than maxlen, at most a node (100 entries) more."""
    with open_redis(redis_url(stream, "&maxlen=150&approximate=1")) as sink:
        sink.send_many(sample_events(2000, tag="approx"))
    assert 150 <= redis.Redis(db=DB).xlen(stream) <= 250


def test_id_field_trims_too(stream: str) -> None:
    with open_redis(redis_url(stream, "&maxlen=20&id_field=id")) as sink:
        sink.send_many(sample_events(100, tag="trim-once"))
    assert redis.Redis(db=DB).xlen(stream) == 20


def test_a_key_that_is_not_a_stream_is_refused(stream: str) -> None:
    redis.Redis(db=DB).set(stream, "plain")
    with pytest.raises(SinkError, match="holds a string, not a stream"):
        open_redis(redis_url(stream))


def test_a_refused_login_is_one_line_without_the_password(stream: str) -> None:
    url = f"redis://nobody:S3cretPW@127.0.0.1:{REDIS_PORT}/{DB}?stream={stream}"
    with pytest.raises(SinkError) as caught:
        open_sink(url)
    message = str(caught.value)
    assert "S3cretPW" not in message and "\n" not in message
    assert message.startswith("redis://nobody:***@127.0.0.1")


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
        ("redis://:S3cretPW@127.0.0.1:port/0?stream=s", "port must be a number"),
        ("rediss://127.0.0.1/0?stream=s&approximate=maybe", "must be 1 or 0"),
        ("redis://127.0.0.1/0?stream=s&ssl_ca_certs=/ca.pem", "need rediss://"),
        ("rediss://127.0.0.1/0?stream=s&ssl_cert_reqs=some", "required, optional"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        open_sink(url)
    assert "S3cretPW" not in str(caught.value)


def test_a_closed_port_fails_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(SinkError, match="cannot connect to 127.0.0.1:") as caught:
        open_redis(redis_url("s", port=free_port()))
    assert time.monotonic() - started < 5 and "\n" not in str(caught.value)


# The command line


def test_a_run_writes_every_document(stream: str) -> None:
    url = f"redis://:S3cretPW@127.0.0.1:{REDIS_PORT}/{DB}?stream={stream}"
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 500, "--seed", 1, "--sink", url
    )
    assert result.returncode == 0, result.stderr
    assert "sent 500, acknowledged 500, failed 0" in result.stderr
    assert "S3cretPW" not in result.stderr + result.stdout
    events = read_events(stream)
    assert len({event["id"] for event in events}) == len(events) == 500
    assert {"surname", "forename", "auth"} <= set(events[0])


@pytest.mark.parametrize(
    "url, message",
    [
        ("redis://:S3cretPW@127.0.0.1:{redis}/9?stream=s&colour=red", "'colour'"),
        ("redis://:S3cretPW@127.0.0.1:{closed}/9?stream=s", "cannot connect"),
    ],
)
def test_a_bad_sink_fails_the_run_in_one_line(url: str, message: str) -> None:
    url = url.format(redis=REDIS_PORT, closed=free_port())
    started = time.monotonic()
    result = run_generate(
        "document", "-p", "starfleet_account", "-q", 5, "--sink", url, timeout=30
    )
    assert (
        time.monotonic() - started < 15
    )  # Python's start and imports on a loaded machine too
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    assert message in errors[0]
    assert "S3cretPW" not in result.stderr and "Traceback" not in result.stderr
