"""The NATS JetStream sink: each event a JetStream message, counted on its PubAck.

`nats://[user:password@|token@]host:4222/SUBJECT?stream=NAME&create=1&key=id`
(options and guarantees: docs/sinks-brokers.md). Each event is published to
SUBJECT as its compact JSON (one line, no newline, as the Kafka sink's
values) with a `Nats-Msg-Id` header from its `key` field, a batch at a
time without waiting between messages; an event is acknowledged
when JetStream's PubAck for it comes back. What is not acknowledged within
`ack_timeout` (a stalled or lost connection) is published again, with the
same message id, so JetStream drops the copies it already holds (within the
stream's duplicate window): exactly once in the stream, as long as the events
have distinct ids. The client reconnects on its own; a batch is retried under
the sink's RetryPolicy for `timeout` seconds, then what is left is failed.

nats-py is asyncio and the sink is not: the client lives on a private event
loop in a daemon thread, which also answers the server's pings between batches.

It is long because the URL's options, that private loop and the bookkeeping
of which message of a batch JetStream has acknowledged are one piece: the
sink's synchronous contract on top of an asyncio client.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from urllib.parse import unquote, urlsplit

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from datagen.encoders import field_text, get_dotted, json_message
from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact, scrub_secrets_of
from datagen.sinks.base import Delivery
from datagen.sinks.batching import BatchingSink
from datagen.sinks.options import NOT_AN_OPTION, RetryDeadlineAlias, parse_options
from datagen.sinks.retry import RetryPolicy
from datagen.sinks.spec import register_sink

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_PORT = 4222
#: nats-py's own limit on publishes waiting for their PubAck.
MAX_BATCH = 4000
#: A subject: dot-separated tokens, no wildcards, no white space.
_SUBJECT = re.compile(r"^[^\s.*>]+(\.[^\s.*>]+)*$")
_STREAM = re.compile(r"^[^\s.*>/\\]{1,255}$")
#: A token in place of a user (`nats://TOKEN@host`), hidden in describe().
_TOKEN = re.compile(r"//[^:/@]+@")
MSG_ID = "Nats-Msg-Id"


@dataclass(frozen=True)
class NatsOptions(RetryDeadlineAlias):
    """Where and how the NATS sink publishes; the fields after subject are the
    URL's ?options."""

    ALIASES: ClassVar[dict[str, str]] = {"retry_seconds": "timeout", "msg_id": "key"}

    host: str = field(metadata=NOT_AN_OPTION)
    port: int = field(metadata=NOT_AN_OPTION)
    subject: str = field(metadata=NOT_AN_OPTION)
    user: str | None = field(default=None, metadata=NOT_AN_OPTION)
    password: str | None = field(default=None, repr=False, metadata=NOT_AN_OPTION)
    token: str | None = field(default=None, repr=False, metadata=NOT_AN_OPTION)
    #: The stream that must take the subject (created with create=1).
    stream: str | None = None
    create: bool = False
    #: The field whose value is each message's Nats-Msg-Id.
    key: str = "id"
    batch: int = 500
    #: Seconds a batch is retried before what is left counts as failed.
    timeout: float = 30.0
    connect_timeout: float = 5.0
    #: Seconds to wait for a batch's PubAcks before publishing the rest again.
    ack_timeout: float = 5.0
    #: The duplicate window (seconds) of a stream made by create=1.
    duplicate_window: float = 120.0

    @classmethod
    def from_url(cls, url: str) -> NatsOptions:
        parts = urlsplit(url)
        where = f"nats sink '{redact(url)}'"
        subject = unquote(parts.path.lstrip("/"))
        if not _SUBJECT.match(subject):
            raise ConfigError(
                f"{where}: subject '{subject}' must be dot-separated tokens "
                "without spaces or wildcards (nats://host:4222/SUBJECT)"
            )
        password = unquote(parts.password) if parts.password is not None else None
        user = unquote(parts.username) if parts.username else None
        given = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or DEFAULT_PORT,
            "subject": subject,
            "user": user if password is not None else None,
            "password": password,
            "token": user if password is None else None,
        }
        options = parse_options(url, cls, given=given)
        if options.stream is not None and not _STREAM.match(options.stream):
            raise ConfigError(
                f"{where}: stream '{options.stream}' must have no spaces, '.', "
                "'*', '>', '/' or '\\'"
            )
        if options.create and options.stream is None:
            raise ConfigError(f"{where}: create=1 needs stream=NAME")
        if not 1 <= options.batch <= MAX_BATCH:
            raise ConfigError(f"{where}: batch must be 1-{MAX_BATCH}")
        if min(options.connect_timeout, options.ack_timeout) <= 0:
            raise ConfigError(f"{where}: connect_timeout and ack_timeout must be > 0")
        if options.timeout < 0 or options.duplicate_window <= 0:
            raise ConfigError(f"{where}: timeout must be >= 0 and duplicate_window > 0")
        return options


class _LoopThread:
    """A private asyncio event loop on a daemon thread, for a synchronous caller."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name=name, daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], seconds: float) -> T:
        """coroutine's result; TimeoutError (the coroutine cancelled) after seconds."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(seconds)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    def stop(self) -> None:
        """Cancel what still runs on the loop (waiting half a second at most)
        and stop it."""
        if self.loop.is_closed():
            return
        if self.loop.is_running():
            try:
                self.run(_cancel_others(), 0.5)
            except TimeoutError:
                pass
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(1.0)
        if not self._thread.is_alive():
            self.loop.close()


async def _cancel_others() -> None:
    """Cancel every other task of the running loop and let them end."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _text(error: BaseException) -> str:
    """One line for a nats-py error (a JetStream API error by its description)."""
    if isinstance(error, nats.js.errors.APIError) and error.description:
        return error.description
    if isinstance(error, nats.js.errors.NoStreamResponseError):
        return "no stream answered (is JetStream on, does a stream take the subject?)"
    return first_line(error)


@register_sink
class NatsSink(BatchingSink):
    """Events to one JetStream subject as JSON; close() returns the counts."""

    name = "nats"
    schemes = ("nats",)
    Options = NatsOptions

    def __init__(self, options: NatsOptions, url: str | None = None) -> None:
        self.options = options
        self.url = url or f"nats://{options.host}:{options.port}/{options.subject}"
        super().__init__(
            options.batch, RetryPolicy(options.timeout, owner=self.describe())
        )
        self._key_path = tuple(options.key.split("."))
        #: The batch being written and its messages not yet acknowledged.
        self._batch: list[dict[str, Any]] | None = None
        self._unsent: list[tuple[bytes, dict[str, str] | None]] = []
        #: PubAcks saying JetStream already held the message (a resend, a re-run).
        self.duplicates = 0
        self._last_error = ""
        self._closing = False
        self._client = Client()
        self._js: JetStreamContext | None = None
        self._loop = _LoopThread(f"sink {self.name}")
        try:
            self._connect()
            self._loop.run(self._ensure_stream(), options.connect_timeout * 2)
        except TimeoutError:
            self.release()
            raise SinkError(
                f"{self.describe()}: JetStream did not answer within "
                f"{options.connect_timeout * 2:g} s"
            ) from None
        except BaseException:
            self.release()
            raise

    @classmethod
    def from_url(cls, url: str) -> NatsSink:
        return cls(NatsOptions.from_url(url), url)

    def describe(self) -> str:
        shown = redact(self.url)
        return _TOKEN.sub("//***@", shown) if self.options.token else shown

    def _error(self, text: str) -> SinkError:
        """A one-line SinkError naming the sink, without its secrets."""
        return SinkError(f"{self.describe()}: {scrub_secrets_of(text, self.url)}")

    def _batch_error(self, text: str, retriable: bool = False) -> SinkError:
        """As _error, without the sink's name, which BatchingSink adds."""
        return SinkError(scrub_secrets_of(text, self.url), retriable=retriable)

    # Connecting

    async def _on_error(self, error: Exception) -> None:
        self._last_error = scrub_secrets_of(_text(error), self.url)
        log.info("%s: %s", self.describe(), self._last_error)

    async def _on_disconnected(self) -> None:
        if not self._closing:
            log.info("%s: disconnected, reconnecting", self.describe())

    def _connect(self) -> None:
        """Connect within connect_timeout; the client reconnects for good after."""
        options = self.options
        server = f"nats://{options.host}:{options.port}"
        connect = self._client.connect(
            servers=[server],
            user=options.user,
            password=options.password,
            token=options.token,
            connect_timeout=max(int(options.connect_timeout), 1),
            reconnect_time_wait=0.25,  # type: ignore[arg-type]  # seconds, a float
            max_reconnect_attempts=-1,  # the retry policy decides when to stop
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            name="datagen",
        )
        try:
            self._loop.run(connect, options.connect_timeout)
        except TimeoutError:
            cause = f": {self._last_error}" if self._last_error else ""
            raise self._error(
                f"no answer from {options.host}:{options.port} within "
                f"{options.connect_timeout:g} s{cause}"
            ) from None
        except (OSError, nats.errors.Error) as exc:
            raise self._error(f"cannot connect: {_text(exc)}") from None
        self._js = self._client.jetstream(timeout=options.connect_timeout)

    async def _ensure_stream(self) -> None:
        """The subject must go to a stream (the one named, if any); create=1
        makes it."""
        assert self._js is not None
        options = self.options
        try:
            found: str | None = await self._js.find_stream_name_by_subject(
                options.subject
            )
        except nats.js.errors.NotFoundError:
            found = None
        except (nats.errors.NoRespondersError, nats.js.errors.ServiceUnavailableError):
            raise self._error("JetStream is not enabled on this server") from None
        except (nats.errors.Error, asyncio.TimeoutError) as exc:
            raise self._error(f"cannot list streams: {_text(exc)}") from None
        if found is not None:
            if options.stream is not None and found != options.stream:
                raise self._error(
                    f"subject '{options.subject}' goes to stream '{found}', "
                    f"not '{options.stream}'"
                )
            return
        if not options.create:
            hint = "add create=1" if options.stream else "add stream=NAME&create=1"
            raise self._error(
                f"no JetStream stream takes subject '{options.subject}' "
                f"({hint} to create one)"
            )
        assert options.stream is not None
        try:
            await self._js.add_stream(
                name=options.stream,
                subjects=[options.subject],
                duplicate_window=options.duplicate_window,
            )
        except (nats.errors.Error, asyncio.TimeoutError) as exc:
            raise self._error(
                f"cannot create stream '{options.stream}': {_text(exc)}"
            ) from None

    # Writing

    def _message(self, event: dict[str, Any]) -> tuple[bytes, dict[str, str] | None]:
        """(body, headers) of one event: its JSON (a record a `malformed` fault
        broke: its broken line), the message id from key."""
        body = json_message(event)
        value = get_dotted(event, self._key_path)
        if value is None:
            return body, None
        return body, {MSG_ID: field_text(value)}

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        """Publish the batch's messages not yet acknowledged; a retriable
        SinkError while some are left (the next attempt publishes only those)."""
        if self._batch is not events:
            self._batch, self._unsent = events, [self._message(e) for e in events]
        wait = self.options.ack_timeout
        try:
            self._unsent = self._loop.run(self._publish(self._unsent), wait + 5)
        except TimeoutError:
            raise self._batch_error(
                f"publishing took over {wait + 5:g} s", retriable=True
            ) from None
        if self._unsent:
            cause = f" ({self._last_error})" if self._last_error else ""
            raise self._batch_error(
                f"{len(self._unsent)} of {len(events)} messages not acknowledged "
                f"within {wait:g} s{cause}",
                retriable=True,
            )
        self._batch = None

    async def _publish(
        self, messages: list[tuple[bytes, dict[str, str] | None]]
    ) -> list[tuple[bytes, dict[str, str] | None]]:
        """Publish messages at once, wait up to ack_timeout for their PubAcks;
        returns those without one (a SinkError for an error retrying cannot mend)."""
        assert self._js is not None
        subject = self.options.subject
        futures: list[asyncio.Future[Any]] = []
        for body, headers in messages:
            try:
                futures.append(
                    await self._js.publish_async(subject, body, headers=headers)
                )
            except nats.errors.MaxPayloadError:
                self._cancel(futures)
                raise self._batch_error(
                    f"a message of {len(body)} bytes is over the server's "
                    "max_payload"
                ) from None
            except (nats.errors.Error, OSError) as exc:  # closed, buffer full
                self._last_error = _text(exc)
                break
        if futures:
            await asyncio.wait(futures, timeout=self.options.ack_timeout)
        left = messages[len(futures) :]
        for message, future in zip(messages, futures):
            if not future.done() or future.cancelled():
                left.append(message)
            elif (error := future.exception()) is not None:
                self._last_error = _text(error)
                left.append(message)
            elif future.result().duplicate:
                self.duplicates += 1
        self._cancel(futures)
        return left

    @staticmethod
    def _cancel(futures: list[asyncio.Future[Any]]) -> None:
        """Cancel the PubAcks no longer waited for (frees nats-py's slots)."""
        for future in futures:
            if not future.done():
                future.cancel()

    def delivered_of(self, events: list[dict[str, Any]]) -> int:
        """The messages JetStream acknowledged of a batch given up on (none when
        its messages were never even made)."""
        return len(events) - len(self._unsent) if self._batch is events else 0

    # Ending

    def give_up(self) -> Delivery:
        """Stop at once: what was never published is failed, what waits for
        its PubAck is unknown."""
        if not self._closed:
            self._closed = True
            self._count_failed(len(self.pending))
            self.pending = []
            self._loop.stop()
        return super().give_up()

    def release(self) -> None:
        """Close the connection (briefly waiting for it) and stop the loop."""
        if self.duplicates:
            log.info(
                "%s: %d messages were already in the stream (deduplicated)",
                self.describe(),
                self.duplicates,
            )
        self._closing = True
        try:
            if not self._client.is_closed:
                self._loop.run(self._client.close(), 2.0)
        except (TimeoutError, nats.errors.Error, OSError):
            pass
        finally:
            self._loop.stop()
