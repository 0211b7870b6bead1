"""The HTTP sink: batches of events POSTed as a JSON array (or JSON lines).

`https://host/path?batch=500&format=jsonl&token=...`: the sink's own options are
taken out of the URL and the rest is posted to as given (a key that looks like
a misspelt option of the sink's, `bacth=`, is refused instead). 5xx, 429 (after its
Retry-After) and connection errors are retried with exponential backoff until
`retry_seconds`; other answers fail the batch at once. The bearer token comes
from `token=` or DATAGEN_HTTP_TOKEN and never appears in names or messages.
"""

from __future__ import annotations

import email.utils
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import requests

from datagen.errors import ConfigError, SinkError, first_line
from datagen.redaction import redact, scrub
from datagen.sinks.batching import BatchingSink
from datagen.sinks.options import near_miss, option_names, parse_options
from datagen.sinks.retry import RetryPolicy
from datagen.sinks.spec import register_sink

TOKEN_ENV = "DATAGEN_HTTP_TOKEN"
CONTENT_TYPES = {"json": "application/json", "jsonl": "application/x-ndjson"}
#: The longest wait at start, to connect and again for an answer (docs/sinks.md).
START_SECONDS = 5.0


@dataclass(frozen=True)
class HttpOptions:
    """The sink's query options (the rest of the query stays in the URL)."""

    batch: int = 500
    format: str = "json"
    retry_seconds: float = 30.0
    timeout: float = 10.0
    #: The bearer token (also from DATAGEN_HTTP_TOKEN); kept out of repr().
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> HttpOptions:
        """The options in url's query; other keys belong to the target URL,
        but one that looks like a misspelt option is refused."""
        names = option_names(cls)
        options = parse_options(
            url,
            cls,
            others=lambda key: not near_miss(key, names),
            others_are="a parameter of the target URL",
        )
        where = f"http sink '{redact(url)}'"
        if options.format not in CONTENT_TYPES:
            raise ConfigError(
                f"{where}: format must be json or jsonl, not '{options.format}'"
            )
        if options.batch < 1 or options.retry_seconds < 0 or options.timeout <= 0:
            raise ConfigError(
                f"{where}: batch must be >= 1, retry_seconds >= 0, timeout > 0"
            )
        return options


def split_url(url: str) -> tuple[str, HttpOptions, str | None]:
    """(the URL to POST to, the options, the token) from a sink spec."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ConfigError(f"http sink '{redact(url)}' names no host")
    options = HttpOptions.from_url(url)
    names = option_names(HttpOptions)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    rest = [(key, value) for key, value in pairs if key not in names]
    target = urlunsplit(parts._replace(query=urlencode(rest)))
    token = options.token or os.environ.get(TOKEN_ENV) or None
    return target, options, token


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date from now."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


@register_sink
class HttpSink(BatchingSink):
    """POSTs batches to one URL; see the module docstring for the options."""

    name = "http"
    schemes = ("http", "https")
    Options = HttpOptions

    def __init__(
        self, url: str, options: HttpOptions | None = None, token: str | None = None
    ) -> None:
        self.url = url
        self.options = options or HttpOptions()
        policy = RetryPolicy(deadline=self.options.retry_seconds, owner=self.describe())
        super().__init__(self.options.batch, policy)
        self.session = requests.Session()
        self.session.headers["Content-Type"] = CONTENT_TYPES[self.options.format]
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self._token = token
        self._retry_after: float | None = None
        self._check_reachable()

    @classmethod
    def from_url(cls, url: str) -> HttpSink:
        return cls(*split_url(url))

    def describe(self) -> str:
        return redact(self.url)

    def _check_reachable(self) -> None:
        """Fail at start, within START_SECONDS (or the timeout, if shorter) for
        the connection and as long again for an answer, when nothing listens
        at the host or what listens never answers. Any HTTP answer to a HEAD
        request will do (a 404 or 405 included): the server is alive."""
        if requests.utils.get_environ_proxies(self.url):
            return  # a proxy will connect for us
        parts = urlsplit(self.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        wait = min(self.options.timeout, START_SECONDS)
        try:
            socket.create_connection((parts.hostname, port), timeout=wait).close()
        except OSError as exc:
            self.session.close()
            reason = exc.strerror or type(exc).__name__
            raise SinkError(f"{self.describe()}: cannot connect: {reason}") from None
        try:
            self.session.head(
                self.url, timeout=(wait, wait), allow_redirects=False
            ).close()
        except requests.Timeout:
            self.session.close()
            raise SinkError(f"{self.describe()}: no answer within {wait:g} s") from None
        except requests.RequestException as exc:
            self.session.close()
            reason = self._scrub(first_line(exc))
            raise SinkError(f"{self.describe()}: cannot connect: {reason}") from None

    def encode(self, events: list[dict[str, Any]]) -> bytes:
        """The request body: a JSON array, or one JSON document per line."""
        if self.options.format == "jsonl":
            return b"".join(
                orjson.dumps(event, option=orjson.OPT_APPEND_NEWLINE)
                for event in events
            )
        return orjson.dumps(events)

    def write_batch(self, events: list[dict[str, Any]]) -> None:
        try:
            response = self.session.post(
                self.url, data=self.encode(events), timeout=self.options.timeout
            )
        except requests.RequestException as exc:
            raise SinkError(self._scrub(first_line(exc)), retriable=True) from None
        if response.status_code < 300:
            return
        retriable = response.status_code == 429 or response.status_code >= 500
        if response.status_code == 429:
            after = retry_after_seconds(response.headers.get("Retry-After"))
            self._retry_after = (
                None if after is None else min(after, self.options.retry_seconds)
            )
        body = first_line(response.text)[:200]
        raise SinkError(
            self._scrub(f"HTTP {response.status_code} {response.reason}: {body}"),
            retriable=retriable,
        )

    def retry_sleep(self) -> Callable[[float], None]:
        """Back off as the policy says, or longer when the server asked (429)."""

        def sleep(delay: float) -> None:
            wait = max(delay, self._retry_after or 0.0)
            self._retry_after = None
            time.sleep(wait)

        return sleep

    def release(self) -> None:
        self.session.close()

    def _scrub(self, message: str) -> str:
        """message with the token (if any) and the full URL's secrets removed."""
        return scrub(message, self._token, urls=[self.url])
