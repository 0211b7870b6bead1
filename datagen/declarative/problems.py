"""Problems found in a declaration: each with its field path and, when the file
is known, its line; all of them collected, so `validate` lists every one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.errors import ConfigError

#: Where in a declaration: keys and list indexes from the top, e.g.
#: ("fields", "tags", "of", "gen").
FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """("steps", 0, "delay") -> "steps[0].delay"; () -> "(top)"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top)"


def nearest(name: str, names: Iterable[str], count: int = 3) -> str:
    """' (did you mean a, b?)' for the names closest to name, else ''."""
    close = difflib.get_close_matches(name, sorted(set(names)), n=count, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


@dataclass(frozen=True)
class Source:
    """A declaration as read: its data, the file it came from and the line of
    each field path (1-based; empty for data made in code)."""

    file: Path | None
    data: Any
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of path, or of its nearest enclosing field that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


@dataclass(frozen=True)
class Problem:
    """One thing wrong, at one field path."""

    path: FieldPath
    message: str

    def describe(self, source: Source | None = None) -> str:
        """'file:line: fields.age.max: message' (what is known of it)."""
        where = dotted(self.path)
        if source is None or source.file is None:
            return f"{where}: {self.message}"
        line = source.line_of(self.path)
        at = f"{source.file}:{line}" if line else str(source.file)
        return f"{at}: {where}: {self.message}"


class Problems:
    """The problems of one declaration, in the order found."""

    def __init__(self, source: Source | None = None) -> None:
        self.source = source
        self.items: list[Problem] = []

    def add(self, path: FieldPath, message: str) -> None:
        self.items.append(Problem(tuple(path), message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def lines(self) -> list[str]:
        """Every problem as one line (what `validate` prints)."""
        return [problem.describe(self.source) for problem in self.items]

    def raise_if_any(self) -> None:
        """DeclarationError for the first problem (naming how many more)."""
        if self.items:
            raise DeclarationError(self)


class DeclarationError(ConfigError):
    """A declaration with problems: str() is the first, as one line, with the
    count of the rest; `problems` holds them all."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        lines = problems.lines()
        more = len(lines) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(lines[0] + suffix)


def unknown_keys(
    spec: Mapping[str, Any],
    allowed: Iterable[str],
    path: FieldPath,
    problems: Problems,
    what: str = "key",
) -> None:
    """A problem for each key of spec not in allowed, with the nearest names."""
    allowed = list(allowed)
    for key in spec:
        if key not in allowed:
            problems.add(
                (*path, str(key)),
                f"unknown {what} '{key}'{nearest(str(key), allowed)}",
            )
