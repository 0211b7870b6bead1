"""The Kinesis sink against moto's server mode: records read back from every shard."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import boto3
import orjson
import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.kinesis import (
    MAX_RECORDS,
    MAX_REQUEST_BYTES,
    KinesisOptions,
    KinesisSink,
    _requests,
)
from datagen.sinks.spec import open_sink
from tests.sinks.broker_checks import check_delivers_whole, open_as
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic


def kinesis_client(endpoint: str) -> Any:
    return boto3.client(
        "kinesis",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def read_stream(endpoint: str, stream: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(shard id, partition key, event) of every record, from every shard."""
    client = kinesis_client(endpoint)
    found = []
    for shard in client.list_shards(StreamName=stream)["Shards"]:
        iterator = client.get_shard_iterator(
            StreamName=stream,
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        while iterator:
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            found += [
                (shard["ShardId"], record["PartitionKey"], orjson.loads(record["Data"]))
                for record in page["Records"]
            ]
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return found


def stream_url(endpoint: str, stream: str, extra: str = "") -> str:
    return f"kinesis://{stream}?region=us-east-1&endpoint={endpoint}&create=1{extra}"


def test_conformance_across_shards(moto_endpoint: str) -> None:
    stream = unique_topic("conformance")
    check_delivers_whole(
        KinesisSink,
        stream_url(moto_endpoint, stream, "&shards=4"),
        lambda: [event for _, _, event in read_stream(moto_endpoint, stream)],
    )
    shards = {shard for shard, _, _ in read_stream(moto_endpoint, stream)}
    assert len(shards) == 4  # keyed by id, 300 events reach every shard


def test_partition_key_from_a_field(moto_endpoint: str) -> None:
    stream = unique_topic("keys")
    events = sample_events(200, tag="key")
    with open_as(
        KinesisSink, stream_url(moto_endpoint, stream, "&shards=3&key=user_id")
    ) as sink:
        sink.send_many(events)
    records = read_stream(moto_endpoint, stream)
    assert len(records) == len(events)
    shards_of_key = defaultdict(set)
    for shard, key, event in records:
        assert key == event["user_id"]
        shards_of_key[key].add(shard)
    assert all(len(shards) == 1 for shards in shards_of_key.values())


def test_more_than_500_records_and_5_mib_go_in_several_requests(
    moto_endpoint: str,
) -> None:
    """moto refuses a put_records of 501 records or over 5 MB, as AWS does."""
    stream = unique_topic("big")
    many = sample_events(1234, tag="many")
    large = [{"id": f"large-{index}", "blob": "x" * 900_000} for index in range(7)]
    with open_as(KinesisSink, stream_url(moto_endpoint, stream)) as sink:
        sink.send_many(many)
        sink.send_many(large)
    delivery = sink.delivery
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (1241, 1241, 0)
    ids = [event["id"] for _, _, event in read_stream(moto_endpoint, stream)]
    assert sorted(ids) == sorted(event["id"] for event in many + large)


def test_requests_respect_both_limits() -> None:
    small = [{"Data": b"x" * 10, "PartitionKey": "k"}] * 1234
    assert [len(request) for request in _requests(small)] == [500, 500, 234]
    big = [{"Data": b"x" * 900_000, "PartitionKey": "k"}] * 7
    sizes = [sum(len(r["Data"]) for r in request) for request in _requests(big)]
    assert sizes == [5 * 900_000, 2 * 900_000]
    assert all(size <= MAX_REQUEST_BYTES for size in sizes) and MAX_RECORDS == 500


def test_unreachable_endpoint_fails_fast_in_one_line() -> None:
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        open_sink("kinesis://events?region=us-east-1&endpoint=http://127.0.0.1:1")
    message = str(caught.value)
    assert time.monotonic() - started < 10
    assert message.startswith("kinesis://events?region=us-east-1")
    assert "Could not connect" in message and "\n" not in message


def test_missing_stream_without_create_is_an_error(moto_endpoint: str) -> None:
    url = (
        f"kinesis://{unique_topic('absent')}?region=us-east-1&endpoint={moto_endpoint}"
    )
    with pytest.raises(SinkError, match="does not exist"):
        open_sink(url)


def test_stream_deleted_mid_run_is_counted_failed(moto_endpoint: str) -> None:
    stream = unique_topic("deleted")
    events = sample_events(1200, tag="del")
    sink = open_as(KinesisSink, stream_url(moto_endpoint, stream, "&timeout=2"))
    sink.send_many(events[:500])
    kinesis_client(moto_endpoint).delete_stream(StreamName=stream)
    with pytest.raises(SinkError, match=stream) as caught:
        sink.send_many(events[500:1000])
    message = str(caught.value)  # named once: BatchingSink adds the name
    assert message.startswith("kinesis://") and message.count("kinesis://") == 1
    assert "\n" not in message
    with pytest.raises(SinkError):
        sink.send_many(events[1000:])
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (1200, 500, 700)


@pytest.mark.parametrize(
    "url, message",
    [
        ("kinesis://?region=us-east-1", "stream '' must be"),
        ("kinesis://s?region=us-east-1&batch=501", "batch must be 1-500"),
        ("kinesis://s?region=us-east-1&shards=many", "not a number"),
        ("kinesis://s?region=us-east-1&colour=red", "unknown option 'colour'"),
        ("kinesis://s", "give region=... or set AWS_REGION"),
    ],
)
def test_bad_urls_name_the_problem(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(ConfigError, match=message):
        open_sink(url)


def test_options_from_url_and_environment() -> None:
    options = KinesisOptions.from_url(
        "kinesis://clicks?key=user.id&retry_seconds=7&batch=100",
        environ={"AWS_DEFAULT_REGION": "eu-west-1"},
    )
    assert (options.stream, options.region, options.key) == (
        "clicks",
        "eu-west-1",
        "user.id",
    )
    assert (options.timeout, options.batch, options.create) == (7.0, 100, False)
