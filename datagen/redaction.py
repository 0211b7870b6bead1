"""Secrets out of messages: one URL redactor, one text scrubber for every sink,
and the run's known secret values, so that whatever leaves the process (an
error, a warning, a summary) can be scrubbed of them wherever they appear."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote, quote_plus, unquote, unquote_plus

#: Query keys whose values are secrets (but see _OPTIONS_NOT_SECRET).
_SECRET_KEYS = re.compile(
    r"(password|passwd|pwd|secret|token|sig|key|sas|credential|auth)", re.I
)
#: Sink options that _SECRET_KEYS would match and that hold no secret: the
#: field of an event's key or id, RabbitMQ's routing key (shown in messages;
#: as a secret it would be scrubbed from every message of the run).
_OPTIONS_NOT_SECRET = frozenset({"key", "routing_key"})
#: A URL's scheme and `//`: where its authority starts.
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
#: Schemes whose userinfo without a colon is a secret token (nats://TOKEN@host).
_TOKEN_SCHEMES = {"nats", "tls"}
#: A URL inside a text (ends at white space or a quote; a `:` or `.` after
#: it is the text's).
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]*[^\s'\"<>:,.;)]")
#: A password in a URL inside a text: `//user:password@`.
_USERINFO = re.compile(r"//([^:/@\s]+):([^@/\s]+)@")
#: Azure's secrets as they appear in URLs and connection strings.
_SIGNATURES = re.compile(r"(sig=|AccountKey=|SharedAccessSignature=)[^&;\s'\"]+", re.I)
#: `password=...` inside an option value (libpq's `options=-c password=x`, a
#: DSN's `password=x`) or a text (`python:m:C?token=x` quoted in a message).
_INLINE = re.compile(
    r"((?:password|passwd|pwd|secret|token|auth|credential)\w*\s*=\s*)"
    r"([^\s&;'\"]*[^\s&;'\":,.)])",
    re.I,
)
#: Shorter known secrets are scrubbed only where they stand as URL passwords,
#: so that a one-letter password does not blot out the text.
MIN_SECRET_LENGTH = 4
#: Environment variables the sinks and `upload` read that hold secrets as
#: they are (the DATAGEN_KAFKA_* ones are matched by name).
SECRET_ENVIRONMENT = (
    "DATAGEN_SQL_PASSWORD",
    "PGPASSWORD",
    "DATAGEN_HTTP_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "BLOB_SAS_TOKEN",
    "AZURE_STORAGE_CONNECTION_STRING",
)
#: Environment variables holding URLs or connection strings with secrets inside.
URL_ENVIRONMENT = ("DATAGEN_SCHEMA_REGISTRY_URL", "BLOB_CONTAINER_URL")

_known: set[str] = set()


def _password_span(url: str) -> tuple[int, int] | None:
    """Where the password of url's userinfo is (a NATS URL's token), or None.

    The password may hold unescaped '/', '@' (and '?'), which urlsplit reads as
    path, host or query: the userinfo ends at the last '@' before the query,
    so `kafka://alice:S3CR/ETpw@h:1/t` and `pg://u:S3CR@ETpw@h/db` both lose
    all of their password. A path holding '@' after a port is read as a
    password too: a message shows too little rather than a secret.
    """
    match = _AUTHORITY.match(url)
    if match is None:
        return None
    start = match.end()
    ends = [i for i in (url.find("?", start), url.find("#", start)) if i != -1]
    end = min(ends, default=len(url))
    at = url.rfind("@", start, end)
    first = re.split(r"[/?#]", url[start:], maxsplit=1)[0]
    if at == -1 and ":" in first:
        # A '?' or '#' in the password: the userinfo reaches to an '@'
        # standing before any query option (key=value or &).
        ends = [i for i in (url.find("=", start), url.find("&", start)) if i != -1]
        at = url.rfind("@", start, min(ends, default=len(url)))
    if at == -1:
        return None
    colon = url.find(":", start, at)
    if colon == -1:  # a user alone, but a NATS URL's is a token
        return (start, at) if url[: start - 3].lower() in _TOKEN_SCHEMES else None
    return (colon + 1, at)


def _query_spans(url: str, after: int) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, replacement) of each secret in url's query (after index
    `after`): a secret key's value becomes ***, a value holding a URL or a
    `password=` is shown redacted (decoded)."""
    question = url.find("?", after)
    if question == -1:
        return
    hash_ = url.find("#", question)
    end = len(url) if hash_ == -1 else hash_
    position = question + 1
    for pair in url[question + 1 : end].split("&"):
        key, equals, value = pair.partition("=")
        value_start = position + len(key) + len(equals)
        position += len(pair) + 1
        if not equals or not value:
            continue
        plain_key = unquote_plus(key)
        if plain_key not in _OPTIONS_NOT_SECRET and _SECRET_KEYS.search(plain_key):
            yield value_start, value_start + len(value), None
            continue
        plain = unquote_plus(value)
        shown = _INLINE.sub(r"\1***", redact(plain) if "://" in plain else plain)
        if shown != plain:
            yield value_start, value_start + len(value), shown


def _spans(url: str) -> list[tuple[int, int, str | None]]:
    """Every secret of url as (start, end, replacement or None for ***)."""
    spans: list[tuple[int, int, str | None]] = []
    password = _password_span(url)
    after = 0
    if password is not None:
        spans.append((password[0], password[1], None))
        after = password[1]
    spans.extend(_query_spans(url, after))
    return spans


def redact(url: str) -> str:
    """url with passwords, tokens and signatures replaced by ***, for messages;
    unchanged when it holds none."""
    shown = url
    for start, end, replacement in sorted(_spans(url), reverse=True):
        shown = (
            shown[:start]
            + ("***" if replacement is None else replacement)
            + shown[end:]
        )
    return shown


def secrets_in(text: str) -> list[str]:
    """The secret values in text (a URL, a --route, a connection string, a SAS
    token): what redact() and scrub() hide, as the raw values to remember."""
    found: list[str] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0)
        for start, end, shown in _spans(url):
            value = url[start:end]
            if shown is None:
                found.append(value)
            else:
                # A URL or an option list as a value: only its secrets.
                plain = unquote_plus(value)
                found.extend(secrets_in(plain) if plain != url else [])
    if not _AUTHORITY.match(text):
        # Not a URL: `sv=..&sig=..`, `AccountKey=..;`, `-c password=..`,
        # `python:mod:Class?token=..`.
        # `python:mod:Class?token=..` has its query; a bare `a=1&b=2` is one.
        query = text if "?" in text else "?" + text
        found.extend(query[s:e] for s, e, shown in _query_spans(query, 0) if not shown)
    found.extend(m.group(0).split("=", 1)[1] for m in _SIGNATURES.finditer(text))
    found.extend(_inline_values(text))
    return [value for value in found if value]


def _inline_values(text: str) -> list[str]:
    """The values of `password=...` inside text."""
    return [match.group(2) for match in _INLINE.finditer(text)]


def secrets_of_environment(environ: Mapping[str, str]) -> list[str]:
    """The secrets the sinks and `upload` would read from environ: passwords,
    tokens, SAS and keys as they are, and those inside URLs and connection
    strings (the DATAGEN_KAFKA_* settings whose names say they are secret)."""
    found: list[str] = []
    for name, value in environ.items():
        if not value:
            continue
        kafka_secret = name.startswith("DATAGEN_KAFKA_") and _SECRET_KEYS.search(
            name[len("DATAGEN_KAFKA_") :]
        )
        if name in SECRET_ENVIRONMENT or kafka_secret:
            found.append(value)
            found.extend(secrets_in(value))
        elif name in URL_ENVIRONMENT:
            found.extend(secrets_in(value))
    return found


def secret_forms(value: str) -> set[str]:
    """value as a message may show it: as it is, percent-encoded or decoded,
    and the pieces a URL parser cuts an unescaped password into at '/', '@',
    '?' or '#' (then quoted as a host, port or topic)."""
    forms: set[str] = set()
    for form in (value, unquote(value), unquote_plus(value)):
        forms.update((form, quote(form, safe=""), quote_plus(form)))
        forms.update(re.split(r"[/@?#]", form) if len(form) > 1 else ())
    forms.discard("")
    return forms


def remember_secrets(*values: str | None) -> None:
    """Add values to the run's known secrets (in all their secret_forms), so
    scrub_known() hides them wherever a message holds them."""
    for value in values:
        if value:
            _known.update(secret_forms(value))


def scrub_secrets_of(text: str, source: str) -> str:
    """text (a parser's message about source, a sink spec) scrubbed of the
    secrets in source in all their forms, without the run's known secrets:
    for messages made outside the CLI."""
    forms = {form for secret in secrets_in(source) for form in secret_forms(secret)}
    return scrub(
        text, *sorted(forms, key=len, reverse=True), min_length=MIN_SECRET_LENGTH
    )


def known_secrets() -> frozenset[str]:
    """The secret values remembered so far in this process."""
    return frozenset(_known)


def forget_secrets() -> None:
    """Forget every remembered secret (between runs in one process, in tests)."""
    _known.clear()


def scrub_known(text: str) -> str:
    """text scrubbed of URL passwords and signatures and of every known secret
    (the longest first, so that one holding another goes whole)."""
    return scrub(
        text,
        *sorted(_known, key=len, reverse=True),
        min_length=MIN_SECRET_LENGTH,
    )


def scrub(
    text: str,
    *secrets: str | None,
    urls: Iterable[str] = (),
    min_length: int = 1,
) -> str:
    """text (an error message, a log line) with its secrets as ***.

    Each of `urls` is shown redacted; URL passwords (`//u:p@`, also holding
    '/' or '@'), secret query values, SAS signatures and account keys go
    wherever they stand; each of `secrets` goes too, but one shorter than
    min_length only where it stands as a URL password (`:secret@`), so that a
    one-letter password does not blot out the text.
    """
    for url in urls:
        if url:
            text = text.replace(url, redact(url))
    text = _URL_IN_TEXT.sub(lambda match: redact(match.group(0)), text)
    text = _USERINFO.sub(r"//\1:***@", text)
    text = _SIGNATURES.sub(lambda match: match.group(1) + "***", text)
    text = _INLINE.sub(r"\1***", text)
    for secret in secrets:
        if not secret:
            continue
        text = text.replace(f":{secret}@", ":***@")
        if len(secret) >= min_length:
            text = text.replace(secret, "***")
    return text
