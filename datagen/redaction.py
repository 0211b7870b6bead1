"""Secrets out of messages: one URL redactor and one text scrubber for every sink."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

#: Query keys whose values are secrets (`key` itself is a sink option, not one).
_SECRET_KEYS = re.compile(r"(password|secret|token|sig|key|sas|credential)", re.I)
#: A password in a URL inside a text: `//user:password@`.
_USERINFO = re.compile(r"//([^:/@\s]+):([^@/\s]+)@")
#: Azure's secrets as they appear in URLs and connection strings.
_SIGNATURES = re.compile(r"(sig=|AccountKey=|SharedAccessSignature=)[^&;\s'\"]+", re.I)


def redact(url: str) -> str:
    """url with passwords, tokens and signatures replaced by ***, for messages;
    unchanged when it holds none."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable sink spec>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [
        (
            key,
            (
                "***"
                if key != "key" and _SECRET_KEYS.search(key)
                else _redact_value(value)
            ),
        )
        for key, value in pairs
    ]
    if netloc == parts.netloc and cleaned == pairs:
        return url
    query = "&".join(f"{key}={value}" for key, value in cleaned)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_value(value: str) -> str:
    """A query value that is itself a URL (registry=http://u:p@h) loses its password."""
    return redact(value) if "://" in value and "@" in value else value


def scrub(
    text: str,
    *secrets: str | None,
    urls: Iterable[str] = (),
    min_length: int = 1,
) -> str:
    """text (an error message, a log line) with its secrets as ***.

    Each of `urls` is shown redacted; URL passwords (`//u:p@`), SAS signatures
    and account keys go wherever they stand; each of `secrets` goes too, but
    one shorter than min_length only where it stands as a URL password
    (`:secret@`), so that a one-letter password does not blot out the text.
    """
    for url in urls:
        if url:
            text = text.replace(url, redact(url))
    text = _USERINFO.sub(r"//\1:***@", text)
    text = _SIGNATURES.sub(lambda match: match.group(1) + "***", text)
    for secret in secrets:
        if not secret:
            continue
        text = text.replace(f":{secret}@", ":***@")
        if len(secret) >= min_length:
            text = text.replace(secret, "***")
    return text
