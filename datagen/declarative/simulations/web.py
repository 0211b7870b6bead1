"""`model: web`: the web-session model with the declaration's sections.

The sections are those of datagen/engine/models/web/config.yml (site,
sessions, pages, landing_pages, visits_per_hour, ...), written at the top
level of the declaration beside provider/kind/model; each replaces the shipped
section (a partial `sessions` keeps the shipped value of each setting it
leaves out), and `--config FILE` overrides the result in turn. The web
model's own checks run at compile time, each problem placed at its section.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datagen.declarative.problems import FieldPath, Problems, nearest
from datagen.engine.models.web import config as web_config
from datagen.engine.models.web.config import SECTIONS, WebConfig
from datagen.engine.models.web.sessions import WebSessions
from datagen.errors import ConfigError

#: Marks a declared section in the web model's messages, so a problem can be
#: placed at it: "\0pages\0: pages.home: ..." -> ("pages", "home").
_MARK = "\0{}\0"
_MESSAGE = re.compile(r"\x00(\w+)\x00: (?:([\w.]+)(?: #(\d+))?: )?(.*)", re.S)


def web_sections(
    data: Mapping[str, Any], header: tuple[str, ...], problems: Problems
) -> dict[str, Any] | None:
    """The declared sections (checked: unknown ones and the web model's own
    checks are problems), or None when there is any problem."""
    sections = {key: value for key, value in data.items() if key not in header}
    before = len(problems)
    for key in sections:
        if key not in SECTIONS:
            problems.add(
                (str(key),),
                f"unknown key '{key}' (a web simulation has {', '.join(header)} and "
                f"the web model's sections: {', '.join(SECTIONS)})"
                + nearest(str(key), [*header, *SECTIONS]),
            )
    if len(problems) > before:
        return None
    try:
        web_config_of(sections)
    except ConfigError as exc:
        path, message = _placed(str(exc))
        problems.add(path, message)
        return None
    return sections


def web_config_of(
    sections: Mapping[str, Any], config: str | Path | None = None
) -> WebConfig:
    """The shipped configuration, the declared sections over it, then the
    --config file's over those; ConfigError for the first problem."""
    raw = web_config._read(web_config.SHIPPED)
    sources = {section: web_config.SHIPPED.name for section in raw}
    _merge(raw, dict(sections))
    sources.update({section: _MARK.format(section) for section in sections})
    if config is not None:
        path = Path(config)
        if not path.is_file():
            what = "no such file" if not path.exists() else "not a file"
            raise ConfigError(f"--config: {what}: {path}")
        user = web_config._read(path)
        unknown = sorted(set(user) - set(SECTIONS))
        if unknown:
            raise ConfigError(
                f"{path}: unknown section '{unknown[0]}' for the web model "
                f"(known: {', '.join(SECTIONS)})"
            )
        _merge(raw, user)
        sources.update({section: str(path) for section in user})
    return web_config._build(raw, sources)


def _merge(raw: dict[str, Any], sections: dict[str, Any]) -> None:
    """sections over raw; a partial `sessions` keeps raw's other settings."""
    sessions = sections.get("sessions")
    if isinstance(sessions, dict) and isinstance(raw.get("sessions"), dict):
        sections["sessions"] = {**raw["sessions"], **sessions}
    raw.update(sections)


def _placed(text: str) -> tuple[FieldPath, str]:
    """The web model's message as (field path, message)."""
    match = _MESSAGE.search(text)
    if match is None:  # a shipped section meets a declared one (landing pages)
        return (), text.replace("\0", "")
    section, dotted_key, number, message = match.groups()
    path: list[str | int] = [section]
    if dotted_key:
        parts = dotted_key.split(".")
        parts = parts[1:] if parts[0] == section else parts
        path.extend(int(part) if part.isdigit() else part for part in parts)
    if number:
        path.append(int(number) - 1)
    return tuple(path), message.replace("\0", "")


class DeclaredWeb(WebSessions):
    """The web-session model with a name, description and defaults of its own."""

    def __init__(
        self,
        config: WebConfig,
        name: str,
        description: str,
        actors: int | None,
        duration: float | None,
    ) -> None:
        super().__init__(config)
        self.name = name  # type: ignore[misc]
        self.description = description  # type: ignore[misc]
        if actors is not None:
            self.default_actors = actors
        if duration is not None:
            self.default_duration = duration
