"""The Redis Streams sink: one XADD per event, sent in pipelined batches, each
entry id the server returns counted acknowledged.

`redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]?stream=events&maxlen=100000`
(`rediss://` for TLS). An entry holds the event as one field `data` (its JSON
text), or with `fields=flat` each top-level field as a stream field. `maxlen`
trims the stream on every XADD (`approximate=1`: `MAXLEN ~`, cheaper, may
keep a little more). A batch whose connection breaks is sent again under the
sink's RetryPolicy: at-least-once, since the replies that were lost may have
been for entries Redis wrote. With `id_field` each event goes through a small
Lua script that writes it only if its id is not yet in the set STREAM:ids,
so a resend writes each id once. Everything here is docs/sinks-brokers.md's.

It is long because the URL's options, the two field layouts and the
once-per-id script are this sink's alone, and counting a batch that Redis
took in part needs the batch's state kept between tries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.exceptions import (
    AuthenticationError,
    NoScriptError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisError,
    TryAgainError,
)
from redis.retry import Retry

from datagen.encoders import field_bytes, field_text, get_dotted, json_message
from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact, scrub
from datagen.sinks.batching import BatchingSink
from datagen.sinks.options import NOT_AN_OPTION, RetryDeadlineAlias, parse_options
from datagen.sinks.retry import RetryPolicy
from datagen.sinks.spec import register_sink

log = logging.getLogger(__name__)

#: Server answers worth another try: memory full (consumers may trim), a
#: replica answering during a failover, a cluster slot moving.
_RETRIABLE_REPLIES = (OutOfMemoryError, ReadOnlyError, TryAgainError)
_FIELD_LAYOUTS = ("data", "flat")

#: Writes the entry only if its id is not yet in KEYS[2] (then adds it), all
#: at once on the server. Returns the entry id, or nil for an id written
#: before. ARGV: id, maxlen ('' for none), '~' or '=', then field, value, ...
_ONCE_PER_ID = """
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return false end
local command = {'XADD', KEYS[1]}
if ARGV[2] ~= '' then
  table.insert(command, 'MAXLEN')
  table.insert(command, ARGV[3])
  table.insert(command, ARGV[2])
end
table.insert(command, '*')
for index = 4, #ARGV do table.insert(command, ARGV[index]) end
local entry = redis.call(unpack(command))
redis.call('SADD', KEYS[2], ARGV[1])
return entry
"""


@dataclass(frozen=True)
class RedisStreamOptions(RetryDeadlineAlias):
    """Where and how the sink writes; the fields from `stream` on are the
    URL's ?options (docs/sinks-brokers.md has the table)."""

    host: str = field(metadata=NOT_AN_OPTION)
    port: int = field(metadata=NOT_AN_OPTION)
    db: int = field(metadata=NOT_AN_OPTION)
    stream: str
    username: str | None = field(default=None, metadata=NOT_AN_OPTION)
    password: str | None = field(default=None, metadata=NOT_AN_OPTION)
    tls: bool = field(default=False, metadata=NOT_AN_OPTION)
    maxlen: int | None = None
    approximate: bool = False
    fields: str = "data"
    id_field: str | None = None
    batch: int = 500
    #: Seconds a batch is retried (a broken connection, a full memory).
    timeout: float = 30.0
    connect_timeout: float = 5.0
    #: Seconds to wait for a batch's replies before the connection counts as broken.
    read_timeout: float = 10.0
    ssl_ca_certs: str | None = None
    ssl_cert_reqs: str = "required"

    @classmethod
    def from_url(cls, url: str) -> RedisStreamOptions:
        parts = urlsplit(url)
        where = f"sink '{redact(url)}'"
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{where}: the port must be a number") from None
        path = unquote(parts.path).strip("/")
        if not path.isdigit() and path:
            raise ConfigError(
                f"{where}: the path is the database number (/0), not '/{path}'"
            )
        options = parse_options(
            url,
            cls,
            sink=url,
            given={
                "host": parts.hostname or "127.0.0.1",
                "port": port or 6379,
                "db": int(path or 0),
                "username": unquote(parts.username) if parts.username else None,
                "password": (
                    unquote(parts.password) if parts.password is not None else None
                ),
                "tls": parts.scheme.lower() == "rediss",
            },
        )
        options.check(where)
        return options

    def check(self, where: str) -> None:
        """ConfigError for values the server would refuse or a run cannot use."""
        if not self.stream:
            raise ConfigError(f"{where}: stream must not be empty")
        if self.fields not in _FIELD_LAYOUTS:
            raise ConfigError(
                f"{where}: fields must be data or flat, not '{self.fields}'"
            )
        if self.maxlen is not None and self.maxlen < 1:
            raise ConfigError(f"{where}: maxlen must be 1 or more")
        if self.batch < 1:
            raise ConfigError(f"{where}: batch must be 1 or more")
        if self.ssl_cert_reqs not in ("required", "optional", "none"):
            raise ConfigError(
                f"{where}: ssl_cert_reqs must be required, optional or none"
            )
        if not self.tls and (self.ssl_ca_certs or self.ssl_cert_reqs != "required"):
            raise ConfigError(f"{where}: the ssl_ options need rediss://")
        if min(self.connect_timeout, self.read_timeout) <= 0 or self.timeout < 0:
            raise ConfigError(
                f"{where}: connect_timeout and read_timeout must be above 0, "
                "timeout 0 or more"
            )

    @property
    def ids_key(self) -> str:
        """The set of ids written, next to the stream (with id_field)."""
        return f"{self.stream}:ids"


def entry_fields(event: dict[str, Any], layout: str) -> dict[str, bytes]:
    """An event's stream fields: `data` holding its JSON text (a record a
    `malformed` fault broke: its broken line), or with layout flat each
    top-level field, strings as they are and other values as JSON text."""
    if layout == "data":
        return {"data": json_message(event)}
    return {str(name): field_bytes(value) for name, value in event.items()}


@register_sink
class RedisStreamSink(BatchingSink):
    """Events to one Redis stream; close() returns the counts."""

    name = "redis"
    schemes = ("redis", "rediss")
    Options = RedisStreamOptions

    def __init__(self, options: RedisStreamOptions, url: str | None = None) -> None:
        self.options = options
        self.url = url or f"redis://{options.host}:{options.port}/{options.db}"
        super().__init__(
            options.batch, RetryPolicy(options.timeout, owner=self.describe())
        )
        self._id_path = tuple(options.id_field.split(".")) if options.id_field else ()
        self._batch: list[dict[str, Any]] | None = None
        #: (event, its fields) of the current batch not yet acknowledged.
        self._unsent: list[tuple[dict[str, Any], dict[str, bytes]]] = []
        self.written_before = 0  # ids skipped by id_field: already in the stream
        self._client = self._connect(options.read_timeout)
        self._script = ""  # the SHA1 of _ONCE_PER_ID, loaded at start
        self._check_server()

    @classmethod
    def from_url(cls, url: str) -> RedisStreamSink:
        return cls(RedisStreamOptions.from_url(url), url)

    def describe(self) -> str:
        return redact(self.url)

    def _connect(self, read_timeout: float) -> redis.Redis:
        options = self.options
        tls: dict[str, Any] = {}
        if options.tls:
            tls = {
                "ssl": True,
                "ssl_ca_certs": options.ssl_ca_certs,
                "ssl_cert_reqs": options.ssl_cert_reqs,
            }
        return redis.Redis(
            host=options.host,
            port=options.port,
            db=options.db,
            username=options.username,
            password=options.password,
            socket_connect_timeout=options.connect_timeout,
            socket_timeout=read_timeout,
            # Our RetryPolicy retries and counts; redis-py's own retries would
            # send a pipeline again unseen.
            retry=Retry(NoBackoff(), 0),
            **tls,
        )

    def _check_server(self) -> None:
        """Fail at start, in one line, when the server does not answer within
        connect_timeout or the key holds something other than a stream."""
        probe = self._connect(self.options.connect_timeout)
        try:
            reply = probe.type(self.options.stream)
            kind = reply.decode() if isinstance(reply, bytes) else reply
            if self._id_path:
                self._script = probe.script_load(_ONCE_PER_ID)
        except RedisError as exc:
            self._client.close()
            where = f"{self.options.host}:{self.options.port}"
            context = f"cannot connect to {where}"
            if isinstance(exc, redis.TimeoutError):
                wait = self.options.connect_timeout
                context = f"no answer from {where} within {wait:g} s"
            error = self._error(exc, context)
            raise SinkError(f"{self.describe()}: {error}") from None
        finally:
            probe.close()
        if kind not in ("none", "stream"):
            self._client.close()
            raise SinkError(
                f"{self.describe()}: key '{self.options.stream}' holds a "
                f"{kind}, not a stream"
            )

    def _error(self, exc: Exception, context: str = "") -> SinkError:
        """A one-line SinkError without the password (nor the sink's name:
        BatchingSink adds it); retriable for a broken connection or a passing
        server state, not for a refused login."""
        text = scrub(first_line(exc), self.options.password, min_length=4)
        if isinstance(exc, AuthenticationError):
            return SinkError(text)
        retriable = isinstance(exc, (redis.ConnectionError, redis.TimeoutError))
        retriable = retriable or isinstance(exc, (*_RETRIABLE_REPLIES, NoScriptError))
        if context and retriable:
            text = f"{context}: {text}"
        return SinkError(text, retriable=retriable)

    # Writing

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        """XADD the batch's entries not yet acknowledged in one pipeline;
        retriable SinkError while some are left (the next try sends only those)."""
        if self._batch is not events:
            layout = self.options.fields
            self._unsent = [(event, entry_fields(event, layout)) for event in events]
            self._batch = events
        pipeline = self._client.pipeline(transaction=False)
        for event, fields in self._unsent:
            self._add(pipeline, event, fields)
        try:
            replies = pipeline.execute(raise_on_error=False)
        except RedisError as exc:  # the connection broke: nothing is known
            where = f"{self.options.host}:{self.options.port}"
            raise self._error(exc, f"writing to {where}") from None
        left = [
            entry
            for entry, reply in zip(self._unsent, replies)
            if isinstance(reply, Exception)
        ]
        self.written_before += sum(reply is None for reply in replies)
        problem = next(
            (reply for reply in replies if isinstance(reply, Exception)), None
        )
        self._unsent = left
        if isinstance(problem, NoScriptError):  # a restarted server forgot it
            self._load_script()
        if problem is not None:
            raise self._error(problem)
        self._batch = None

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        """As BatchingSink's; an event that cannot be an entry (no id field,
        no fields at all) fails alone and stops the run at once, in one line
        naming the sink (as MQTT's event missing a topic field): the events
        before it go on to the server."""
        if not self._id_path and self.options.fields != "flat":
            return super().send_many(events)
        for index, event in enumerate(events):
            problem = self._problem(event)
            if problem:
                super().send_many(events[:index])
                self.delivery.sent += 1
                self._count_failed(1)
                raise SinkError(f"{self.describe()}: {problem}")
        super().send_many(events)

    def _problem(self, event: dict[str, Any]) -> str:
        """Why an event cannot be an entry ('' when it can)."""
        if self.options.fields == "flat" and not event:
            return "an event with no fields has nothing to write (fields=flat)"
        if self._id_path and get_dotted(event, self._id_path) is None:
            return (
                f"event {event.get('id')!r} has no id field "
                f"'{self.options.id_field}' (id_field)"
            )
        return ""

    def _add(
        self, pipeline: Any, event: dict[str, Any], fields: dict[str, bytes]
    ) -> None:
        """Queue one XADD (or, with id_field, the script) on pipeline."""
        options = self.options
        if not self._id_path:
            pipeline.xadd(
                options.stream,
                fields,
                maxlen=options.maxlen,
                approximate=options.approximate,
            )
            return
        value = get_dotted(event, self._id_path)
        ident = field_text(value)
        flat = [part for pair in fields.items() for part in pair]
        maxlen = "" if options.maxlen is None else str(options.maxlen)
        trim = "~" if options.approximate else "="
        pipeline.evalsha(
            self._script, 2, options.stream, options.ids_key, ident, maxlen, trim, *flat
        )

    def _load_script(self) -> None:
        try:
            self._script = self._client.script_load(_ONCE_PER_ID)
        except RedisError as exc:
            raise self._error(exc) from None

    def delivered_of(self, events: list[dict[str, Any]]) -> int:
        """The entries Redis acknowledged of a batch given up on (none when
        its entries were never even built)."""
        return len(events) - len(self._unsent) if self._batch is events else 0

    def release(self) -> None:
        if self.written_before:
            log.warning(
                "%s: %d events had ids written before (id_field): not written again",
                self.describe(),
                self.written_before,
            )
        self._client.close()
