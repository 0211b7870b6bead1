"""Sink URL options: one parser, a dataclass per sink, unknown keys refused in
one line that names the sink (secrets hidden), the key and the valid keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from datagen.errors import ConfigError
from datagen.sinks.http import HttpSink
from datagen.sinks.kafka import KafkaSink
from datagen.sinks.kafka_config import parse_kafka_url
from datagen.sinks.kinesis import KinesisOptions, KinesisSink
from datagen.sinks.options import near_miss, option_names, parse_options
from datagen.sinks.parquet import ParquetSink
from datagen.sinks.spec import open_sink
from datagen.sinks.sql import SqlSink, split_url


@dataclass(frozen=True)
class _Options:
    ALIASES: ClassVar[dict[str, str]] = {"retry_seconds": "timeout"}

    name: str
    count: int = 1
    ratio: float = 0.5
    flag: bool = False
    label: str | None = None
    timeout: float = 30.0


def test_values_are_converted_from_the_annotations() -> None:
    options = parse_options(
        "x://h/p?name=a&count=3&ratio=2.5&flag=yes&label=b&retry_seconds=7",
        _Options,
    )
    assert options == _Options("a", 3, 2.5, True, "b", 7.0)
    assert parse_options("x://h?name=a&flag=0&label=", _Options) == _Options("a")


def test_the_field_s_own_name_wins_over_an_alias() -> None:
    for query in ("timeout=3&retry_seconds=9", "retry_seconds=9&timeout=3"):
        assert parse_options(f"x://h?name=a&{query}", _Options).timeout == 3.0


@pytest.mark.parametrize(
    "query, message",
    [
        ("count=2", "needs ?name=..."),
        ("name=a&count=two", "count must be a number ('two' is not a number)"),
        ("name=a&count=2.5", "count must be a whole number, not '2.5'"),
        ("name=a&flag=maybe", "flag must be 1 or 0 (true/false), not 'maybe'"),
        (
            "name=a&retry_seconds=soon",
            "retry_seconds must be a number ('soon' is not a number)",
        ),
    ],
)
def test_bad_values_name_the_key_as_written(query: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_options(f"x://h?{query}", _Options)
    assert str(caught.value) == f"sink 'x://h?{query}': {message}"


@pytest.mark.parametrize(
    "spec, key, valid",
    [
        (
            "file:{tmp}/x.parquet?rowgroup=5",
            "rowgroup",
            "compression, row_group",
        ),
        (
            "kafka://127.0.0.1:1/t?partition=3",
            "partition",
            "cdc, connect_timeout, create, format, key, partitions, registry, "
            "replication, retry_seconds, schema, timeout, or a librdkafka setting",
        ),
        (
            "kinesis://s?region=us-east-1&shard=2",
            "shard",
            "batch, create, endpoint, key, region, retry_seconds, shards, timeout",
        ),
        (
            "sqlite:///{tmp}/x.db?table=t&bath=10",
            "bath",
            "batch, cdc, connect_timeout, key, method, nested, retry_seconds, "
            "table, or a connection option of pysqlite",
        ),
        (
            "http://127.0.0.1:1/in?bacth=10",
            "bacth",
            "batch, format, retry_seconds, timeout, token, "
            "or a parameter of the target URL",
        ),
    ],
)
def test_an_unknown_key_is_one_line_naming_sink_key_and_valid_keys(
    tmp_path: Path, spec: str, key: str, valid: str
) -> None:
    spec = spec.format(tmp=tmp_path)
    with pytest.raises(ConfigError) as caught:
        open_sink(spec)
    assert str(caught.value) == (
        f"sink '{spec}': unknown option '{key}' (valid: {valid})"
    )


@pytest.mark.parametrize(
    "spec, secret",
    [
        ("postgresql+psycopg://me:pa55word@127.0.0.1/db?table=t&tabel=u", "pa55word"),
        (
            "mysql+pymysql://root:hush-hush@127.0.0.1/db?table=t&batchsize=1",
            "hush-hush",
        ),
        ("kafka://alice:s3cret-pw@127.0.0.1:1/t?colour=red", "s3cret-pw"),
        ("http://127.0.0.1:1/in?token=t0ken-value&timout=3", "t0ken-value"),
        (
            "kafka://h:1/t?registry=http://u:regpass@r:8081&colour=red",
            "regpass",
        ),
    ],
)
def test_secrets_are_hidden_in_the_unknown_key_message(spec: str, secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_sink(spec)
    message = str(caught.value)
    assert "unknown option" in message and "***" in message
    assert secret not in message and "\n" not in message


def test_each_sink_names_its_options_class() -> None:
    assert option_names(ParquetSink.Options) == ["compression", "row_group"]
    assert "retry_seconds" in option_names(KafkaSink.Options)
    assert "retry_seconds" in option_names(KinesisSink.Options)
    assert "table" in option_names(SqlSink.Options)
    assert "token" in option_names(HttpSink.Options)
    assert "topic" not in option_names(KafkaSink.Options)  # the path's, not ?topic=


def test_options_that_work_today_keep_working(tmp_path: Path) -> None:
    kafka = parse_kafka_url(
        "kafka://h:9092/t?key=user.id&partitions=3&replication=1&create=0"
        "&retry_seconds=12&connect_timeout=2&linger.ms=5&acks=1",
        environ={},
    )
    assert (kafka.key, kafka.partitions, kafka.create) == ("user.id", 3, False)
    assert (kafka.timeout, kafka.connect_timeout) == (12.0, 2.0)
    assert kafka.settings == {"linger.ms": "5", "acks": "1"}
    kinesis = KinesisOptions.from_url(
        "kinesis://s?region=eu-west-1&endpoint=http://h:1&key=k&create=1&shards=2"
        "&batch=10&timeout=4",
        environ={},
    )
    assert (kinesis.create, kinesis.shards, kinesis.batch) == (True, 2, 10)
    assert (kinesis.endpoint, kinesis.timeout) == ("http://h:1", 4.0)
    url, sql = split_url(
        "postgresql://me@h/db?table=events&key=id&nested=json&batch=10"
        "&method=insert&retry_seconds=3&connect_timeout=2&sslmode=disable"
    )
    assert (sql.nested, sql.batch, sql.method) == ("json", 10, "insert")
    assert (sql.retry_seconds, sql.connect_timeout) == (3.0, 2)
    assert dict(url.query) == {"sslmode": "disable"}
    sink = open_sink(f"file:{tmp_path}/x.parquet?row_group=7&compression=zstd")
    assert isinstance(sink, ParquetSink)
    assert (sink.row_group, sink.compression) == (7, "zstd")
    sink.close()


def test_sqlite_uri_mode_passes_its_own_parameters(tmp_path: Path) -> None:
    url, _ = split_url(f"sqlite:///{tmp_path}/x.db?table=t&uri=true&mode=rwc")
    assert dict(url.query) == {"uri": "true", "mode": "rwc"}


def test_near_misses_are_misspellings_only() -> None:
    names = ["batch", "format", "retry_seconds", "timeout", "token"]
    assert near_miss("bacth", names) and near_miss("retry-seconds", names)
    assert near_miss("Timeout", names) and near_miss("tokn", names)
    assert not near_miss("api-version", names) and not near_miss("code", names)
