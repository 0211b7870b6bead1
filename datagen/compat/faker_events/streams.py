"""faker-events' Stream: stdout, Kafka or Kinesis, each one of datagen's sinks.

`Stream(stype='kafka', host='kafka:9092', name='example')` writes to the
topic `example` through datagen's Kafka sink (delivery counted, the topic
created when missing); `Stream(stype='kinesis', name='example', key='key')`
puts records with the partition key `key` through the Kinesis sink (region,
endpoint and credentials from boto3's settings: AWS_REGION,
AWS_ENDPOINT_URL_KINESIS or AWS_ENDPOINT_URL, ...; a missing stream is
created); 'stdout' (or faker-events' 'console') prints JSON lines formatted
as faker-events prints them (`json.dumps`). Options are checked when the
Stream is made; the connection is opened by each run, which closes it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from datagen.encoders import Encoder
from datagen.errors import ConfigError
from datagen.sinks.base import BaseSink

#: faker-events' names for standard output, then datagen's.
_STDOUT = ("console", "stdout")


class Stream:
    """Where a generator's events go: `Stream(stype, host, name, key)`.

    stype is 'stdout' (also 'console', the default), 'kafka' (host and name,
    the topic, required) or 'kinesis' (name, the stream, and key, the
    partition key, required). `send(message)` delivers one event at once.
    """

    def __init__(
        self,
        stype: str = "console",
        host: str | None = None,
        name: str | None = None,
        key: str | None = None,
    ) -> None:
        self.stype = str(stype).lower()
        self.host, self.name, self.key = host, name, key
        self.url = self._url()
        self._sink: BaseSink | None = None

    def _url(self) -> str:
        """The datagen sink URL of this stream; ConfigError when an option
        faker-events requires is missing or the sink refuses one."""
        if self.stype in _STDOUT:
            return "stdout"
        if self.stype == "kafka":
            if not self.host or not self.name:
                raise ConfigError("Stream(stype='kafka') needs host=... and name=...")
            from datagen.sinks.kafka_config import parse_kafka_url

            url = f"kafka://{self.host}/{quote(self.name, safe='')}"
            parse_kafka_url(url)
            return url
        if self.stype == "kinesis":
            if not self.name or not self.key:
                raise ConfigError("Stream(stype='kinesis') needs name=... and key=...")
            from datagen.sinks.kinesis import KinesisOptions

            url = f"kinesis://{quote(self.name, safe='')}"
            url += f"?{urlencode(_kinesis_options())}"
            KinesisOptions.from_url(url)
            return url
        raise ConfigError(
            f"Stream: unknown stype '{self.stype}': use 'stdout' (or 'console'), "
            "'kafka' or 'kinesis'"
        )

    def open(self, indent: int | None = None) -> BaseSink:
        """A new sink for one run (the run closes it)."""
        if self.stype in _STDOUT:
            from datagen.sinks.stdout import StdoutSink

            sink = StdoutSink()
            sink.encoder = DumpsEncoder(indent)
            return sink
        if self.stype == "kafka":
            from datagen.sinks.kafka import KafkaSink

            return KafkaSink.from_url(self.url)
        return _kinesis_sink(self.url, str(self.key))

    def send(self, message: dict[str, Any]) -> None:
        """Deliver one event now, as faker-events' handlers do."""
        if self._sink is None:
            self._sink = self.open()
        if self._sink.encoder is not None:
            self._sink.write_encoded(self._sink.encoder.encode_many([message]), 1)
        else:
            self._sink.send_many([message])
        self._sink.flush()

    def close(self) -> None:
        """Close the connection send() opened, if any."""
        if self._sink is not None:
            sink, self._sink = self._sink, None
            sink.close()

    def __repr__(self) -> str:
        return f"Stream(stype={self.stype!r}, host={self.host!r}, name={self.name!r})"


def _kinesis_options() -> dict[str, str]:
    """create=1 plus the endpoint and region boto3 would read from the
    environment: given explicitly, an emulator's endpoint also gets the test
    credentials datagen's Kinesis sink supplies when none are configured."""
    options = {"create": "1"}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_KINESIS") or os.environ.get(
        "AWS_ENDPOINT_URL"
    )
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if endpoint:
        options["endpoint"] = endpoint
        region = region or "us-east-1"  # an emulator takes any region
    if region:
        options["region"] = region
    return options


def _kinesis_sink(url: str, key: str) -> BaseSink:
    """datagen's Kinesis sink, putting every record with the partition key
    `key` (faker-events' fixed key, where datagen's keys by a field)."""
    from datagen.sinks.kinesis import KinesisSink

    class FixedKeyKinesisSink(KinesisSink):
        def _partition_key(self, event: dict[str, Any]) -> str:
            return key

    return FixedKeyKinesisSink.from_url(url)


class DumpsEncoder(Encoder, abstract=True):
    """JSON lines as faker-events prints them: `json.dumps(event)` (spaces
    after ':' and ',', non-ASCII escaped), or indented when indent is set."""

    extension = "jsonl"

    def __init__(self, indent: int | None = None) -> None:
        self.indent = indent
        self.name = f"faker-events-json-{indent}"  # type: ignore[misc]

    def encode_many(self, documents: Sequence[dict[str, Any]]) -> bytes:
        indent = self.indent
        return "".join(
            json.dumps(document, indent=indent, default=_plain) + "\n"
            for document in documents
        ).encode()


def _plain(value: Any) -> Any:
    """A value json cannot write as orjson writes it (datetimes, UUIDs, ...)."""
    return orjson.loads(orjson.dumps(value))
