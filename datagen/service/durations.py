"""Intervals as Eventer writes them: Go's time.ParseDuration ("10s", "1m30s",
"1.5h", "300ms", "2us"), so a request that worked there means the same here."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: Nanoseconds in one of each unit Go accepts ("µs" in both Unicode spellings).
UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 MICRO SIGN
    "μs": 1_000,  # U+03BC GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
#: Go's limit: a duration is an int64 of nanoseconds.
MAX_NS = 2**63 - 1


def parse_duration(text: str) -> int:
    """The nanoseconds text stands for; ValueError saying why it is not one."""
    if not isinstance(text, str) or not text:
        raise ValueError("is empty: write it like 10s, 500ms or 1m30s")
    body = text[1:] if text[0] in "+-" else text
    if text[0] == "-" and body != "0":
        raise ValueError(f"'{text}' is negative")
    if body == "0":
        return 0
    total = Decimal(0)
    position = 0
    while position < len(body):
        match = _PART.match(body, position)
        if match is None:
            raise ValueError(
                f"'{text}' is not a duration: numbers with units "
                "ns, us, µs, ms, s, m or h, like 10s, 500ms or 1m30s"
            )
        try:
            total += Decimal(match.group(1)) * UNITS[match.group(2)]
        except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
            raise ValueError(f"'{text}' is not a duration") from None
        position = match.end()
    if total > MAX_NS:
        raise ValueError(f"'{text}' is longer than Go's longest duration (~292 years)")
    return int(total)


def format_duration(nanoseconds: int) -> str:
    """The shortest of '1h', '1m30s', '250ms', '2us', '7ns' for nanoseconds."""
    if nanoseconds == 0:
        return "0s"
    parts = []
    rest = nanoseconds
    for unit in ("h", "m", "s"):
        size = UNITS[unit]
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    for unit in ("ms", "us", "ns"):
        size = UNITS[unit]
        if rest and rest % size == 0:
            parts.append(f"{rest // size}{unit}")
            rest = 0
    return "".join(parts)
