"""What verify found: each check's name, result and details, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["Check", "Report", "PASS", "FAIL", "SKIP"]

PASS, FAIL, SKIP = "pass", "fail", "skip"
#: Examples a detail list keeps (the counts say how many there are).
EXAMPLES = 5


@dataclass
class Check:
    """One check: `status` pass, fail or skip (could not be made: `summary`
    says why; a skip never fails the run)."""

    name: str
    stream: str | None
    status: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "stream": self.stream,
            "status": self.status,
            "summary": self.summary,
            "details": self.details,
        }


def outcome(passed: bool) -> str:
    return PASS if passed else FAIL


@dataclass
class Report:
    """Every check of one verify, with the streams read and their sizes."""

    streams: dict[str, int]
    checks: list[Check]
    level: float

    @property
    def passed(self) -> bool:
        return not any(check.failed for check in self.checks)

    def as_json(self) -> bytes:
        return orjson.dumps(
            {
                "passed": self.passed,
                "level": self.level,
                "streams": self.streams,
                "checks": [check.as_json() for check in self.checks],
            },
            option=orjson.OPT_INDENT_2
            | orjson.OPT_APPEND_NEWLINE
            | orjson.OPT_NON_STR_KEYS,
            default=str,
        )

    def as_text(self) -> str:
        """One line per check (PASS/FAIL/SKIP, stream, name, summary), the
        details of each failed one indented under it, then the verdict."""
        lines = []
        for check in self.checks:
            where = f"{check.stream}: " if check.stream else ""
            lines.append(
                f"{check.status.upper():4}  {where}{check.name}: {check.summary}"
            )
            if check.failed:
                lines += [f"      {line}" for line in _detail_lines(check.details)]
        failed = sum(check.failed for check in self.checks)
        streams = ", ".join(f"{name} ({n:,})" for name, n in self.streams.items())
        verdict = (
            f"{failed} of {len(self.checks)} checks failed"
            if failed
            else f"all {len(self.checks)} checks passed"
        )
        lines.append(f"verify: {verdict}; streams: {streams}")
        return "\n".join(lines)


def _detail_lines(details: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in details.items():
        shown = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
        text = shown.decode()
        if len(text) > 300:
            text = text[:297] + "..."
        lines.append(f"{key}: {text}")
    return lines
