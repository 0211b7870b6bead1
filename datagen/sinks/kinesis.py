"""The Kinesis sink: put_records in batches of up to 500 records and 5 MiB, a
partition key from a field, failed records retried with backoff.

`kinesis://STREAM?region=us-east-1&endpoint=http://127.0.0.1:5000&key=user_id`
Region, endpoint and credentials may also come from boto3's own settings
(AWS_REGION, AWS_ENDPOINT_URL_KINESIS, AWS_PROFILE, ...).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import orjson
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from datagen.encoders import field_text, get_dotted
from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact
from datagen.sinks.batching import BatchingSink
from datagen.sinks.options import NOT_AN_OPTION, RetryDeadlineAlias, parse_options
from datagen.sinks.retry import RetryPolicy
from datagen.sinks.spec import register_sink

MAX_RECORDS = 500
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024
_STREAM = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
#: Error codes worth another try: throttling and the service's own trouble.
_RETRIABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "LimitExceededException",
    "KMSThrottlingException",
    "InternalFailure",
    "InternalFailureException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ThrottlingException",
}


@dataclass(frozen=True)
class KinesisOptions(RetryDeadlineAlias):
    """Where and how the Kinesis sink writes (see docs/sinks-streaming.md); the
    fields after stream are the URL's ?options."""

    stream: str = field(metadata=NOT_AN_OPTION)
    region: str | None = None
    endpoint: str | None = None
    key: str = "id"
    create: bool = False
    shards: int = 1
    batch: int = MAX_RECORDS
    #: Seconds a batch is retried (throttling, failed records, outages).
    timeout: float = 30.0

    @classmethod
    def from_url(
        cls, url: str, environ: Mapping[str, str] = os.environ
    ) -> KinesisOptions:
        parts = urlsplit(url)
        where = f"kinesis sink '{redact(url)}'"
        stream = unquote(parts.netloc + parts.path).strip("/")
        if not _STREAM.match(stream):
            raise ConfigError(
                f"{where}: stream '{stream}' must be 1-128 letters, digits, "
                "'.', '_' or '-'"
            )
        options = parse_options(url, cls, given={"stream": stream})
        region = (
            options.region
            or environ.get("AWS_REGION")
            or environ.get("AWS_DEFAULT_REGION")
        )
        if not region:
            raise ConfigError(f"{where}: give region=... or set AWS_REGION")
        options = replace(options, region=region)
        if not 1 <= options.batch <= MAX_RECORDS or options.shards < 1:
            raise ConfigError(f"{where}: batch must be 1-500 and shards at least 1")
        if options.timeout < 0:
            raise ConfigError(f"{where}: timeout must be 0 or more")
        return options


@register_sink
class KinesisSink(BatchingSink):
    """Events to one Kinesis stream as JSON records; close() returns the counts."""

    name = "kinesis"
    schemes = ("kinesis",)
    Options = KinesisOptions

    def __init__(self, options: KinesisOptions, url: str | None = None) -> None:
        self.options = options
        self.url = url or f"kinesis://{options.stream}?region={options.region}"
        policy = RetryPolicy(deadline=options.timeout, owner=self.describe())
        super().__init__(options.batch, policy)
        self._key_path = tuple(options.key.split("."))
        self._counter = 0
        self._batch: list[dict[str, Any]] | None = None
        self._unsent: list[dict[str, Any]] = []
        self._client = self._make_client(read_timeout=max(options.timeout, 10.0))
        self._ensure_stream()

    @classmethod
    def from_url(cls, url: str) -> KinesisSink:
        return cls(KinesisOptions.from_url(url), url)

    def describe(self) -> str:
        return redact(self.url)

    def _make_client(self, read_timeout: float, attempts: int = 1) -> Any:
        session = boto3.session.Session(region_name=self.options.region)
        credentials: dict[str, str] = {}
        if self.options.endpoint and session.get_credentials() is None:
            # An emulator on one's own machine takes any key; AWS itself does not.
            credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        config = Config(
            connect_timeout=5,
            read_timeout=read_timeout,
            retries={"max_attempts": attempts, "mode": "standard"},
        )
        return session.client(
            "kinesis", endpoint_url=self.options.endpoint, config=config, **credentials
        )

    def _ensure_stream(self) -> None:
        """Fail fast when the endpoint does not answer; create the stream if asked."""
        client = self._make_client(read_timeout=5)
        try:
            client.describe_stream_summary(StreamName=self.options.stream)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise self._error(exc) from None
            if not self.options.create:
                raise SinkError(
                    f"{self.describe()}: stream '{self.options.stream}' does not "
                    "exist (add create=1 to create it)"
                ) from None
            self._create_stream(client)
        except (BotoCoreError, NoCredentialsError) as exc:
            raise self._error(exc) from None

    def _create_stream(self, client: Any) -> None:
        try:
            client.create_stream(
                StreamName=self.options.stream, ShardCount=self.options.shards
            )
            client.get_waiter("stream_exists").wait(
                StreamName=self.options.stream,
                WaiterConfig={"Delay": 1, "MaxAttempts": 120},
            )
        except (BotoCoreError, ClientError) as exc:
            if _code(exc) != "ResourceInUseException":  # created meanwhile
                raise self._error(exc) from None

    def _error(self, exc: Exception) -> SinkError:
        """A one-line SinkError naming the sink, for errors at start (a
        batch's errors leave the name to BatchingSink, which adds it)."""
        return SinkError(f"{self.describe()}: {first_line(exc)}")

    # Writing

    def _record(self, event: dict[str, Any]) -> dict[str, Any]:
        data = orjson.dumps(event)
        key = self._partition_key(event)
        if len(data) + len(key.encode()) > MAX_RECORD_BYTES:
            raise SinkError(
                f"event {event.get('id')!r} is over 1 MiB, "
                "the most a Kinesis record holds"
            )
        return {"Data": data, "PartitionKey": key}

    def _partition_key(self, event: dict[str, Any]) -> str:
        value = get_dotted(event, self._key_path)
        if value is None:  # no such field: spread the events over the shards
            self._counter += 1
            return str(self._counter)
        return field_text(value)[:256] or "-"

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        """put_records the batch's records not yet accepted; retriable SinkError
        while some are left (the next attempt sends only those)."""
        if self._batch is not events:
            records = [self._record(event) for event in events]
            self._batch, self._unsent = events, records
        left: list[dict[str, Any]] = []
        problem: SinkError | None = None
        for request in _requests(self._unsent):
            if problem is not None:
                left.extend(request)
                continue
            try:
                response = self._client.put_records(
                    StreamName=self.options.stream, Records=request
                )
            except (BotoCoreError, ClientError) as exc:
                problem = SinkError(first_line(exc), retriable=_retriable(exc))
                left.extend(request)
                continue
            failed = [
                record
                for record, result in zip(request, response["Records"])
                if "ErrorCode" in result
            ]
            if failed:
                codes = {result.get("ErrorCode") for result in response["Records"]}
                problem = SinkError(
                    f"{len(failed)} records failed "
                    f"({', '.join(sorted(code for code in codes if code))})",
                    retriable=True,
                )
                left.extend(failed)
        self._unsent = left
        if problem is not None:
            raise problem
        self._batch = None

    def delivered_of(self, events: list[dict[str, Any]]) -> int:
        """The records Kinesis accepted of a batch given up on (none when
        its records were never even built)."""
        return len(events) - len(self._unsent) if self._batch is events else 0

    def release(self) -> None:
        self._client.close()


def _requests(records: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """records in put_records requests of at most 500 records and 5 MiB."""
    request: list[dict[str, Any]] = []
    size = 0
    for record in records:
        record_size = len(record["Data"]) + len(record["PartitionKey"].encode())
        if request and (
            len(request) == MAX_RECORDS or size + record_size > MAX_REQUEST_BYTES
        ):
            yield request
            request, size = [], 0
        request.append(record)
        size += record_size
    if request:
        yield request


def _code(exc: Exception) -> str:
    return (
        exc.response.get("Error", {}).get("Code", "")
        if isinstance(exc, ClientError)
        else ""
    )


def _retriable(exc: Exception) -> bool:
    """Connection trouble, throttling and 5xx answers are worth another try."""
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return _code(exc) in _RETRIABLE_CODES or status >= 500
    return not isinstance(exc, NoCredentialsError)
