"""The web-session model's configuration: the shipped YAML, overridden by a user's.

`load_web_config(path)` reads datagen/engine/models/web/config.yml, then the user's
file (path, else ./config.yml when it exists), whose sections replace the
shipped ones; it checks every group of probabilities and returns them ready
for fast draws (cumulative weights).

It is long because every section is checked where it is read, so a bad value
is refused at load time naming its file and field, and the pages graph is
checked to reach session_end from every page (a session must end).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from datagen.errors import ConfigError
from datagen.files.settings import read_mapping

SHIPPED = Path(__file__).with_name("config.yml")
#: The file in the working directory that overrides the shipped one, as in
#: fake-web-events.
LOCAL_NAME = "config.yml"
END = "session_end"
#: The simple groups: name -> probability, each summing to 1.
GROUPS = (
    "landing_pages",
    "operating_systems",
    "browsers",
    "languages",
    "utm_sources",
    "utm_mediums",
    "ads",
    "campaigns",
)
SECTIONS = (
    "site",
    "sessions",
    "pages",
    "visits_per_hour",
    "devices",
    "locations",
    *GROUPS,
)
_TOLERANCE = 1e-6


class Choice:
    """Names drawn with fixed probabilities: one random() and a bisect."""

    __slots__ = ("names", "cumulative", "probabilities")

    def __init__(self, weights: Mapping[Any, float]) -> None:
        self.names = list(weights)
        self.probabilities = [float(w) for w in weights.values()]
        self.cumulative: list[float] = []
        total = 0.0
        for weight in self.probabilities:
            total += weight
            self.cumulative.append(total)

    def draw(self, rng: random.Random) -> Any:
        cumulative = self.cumulative
        return self.names[bisect_right(cumulative, rng.random() * cumulative[-1])]


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    country: str
    timezone: str
    region: str


@dataclass
class WebConfig:
    """The checked configuration; `sources` names the file of each section."""

    site: str
    sessions_per_user_per_day: float
    step_seconds: float
    step_jitter: float
    pages: dict[str, Choice]
    landing_pages: Choice
    visits_per_hour: list[float]
    operating_systems: Choice
    devices: dict[str, Choice]
    browsers: Choice
    languages: Choice
    utm_sources: Choice
    utm_mediums: Choice
    ads: Choice
    campaigns: Choice
    locations: list[Location]
    sources: dict[str, str]


def load_web_config(path: str | Path | None = None) -> WebConfig:
    """The shipped configuration overridden by path (or ./config.yml if there).

    Raises ConfigError naming the file and section for a missing file, bad
    YAML, an unknown section, or probabilities that do not sum to 1.
    """
    raw = _read(SHIPPED)
    sources = {section: SHIPPED.name for section in raw}
    override = Path(path) if path is not None else Path(LOCAL_NAME)
    if path is not None and not override.exists():
        raise ConfigError(f"--config: no such file: {override}")
    if path is not None and not override.is_file():
        kind = "a folder" if override.is_dir() else "a device or pipe"
        raise ConfigError(f"--config: '{override}' is {kind}, not a file")
    if override.is_file():
        user = _read(override)
        unknown = sorted(set(user) - set(SECTIONS))
        if unknown:
            raise ConfigError(
                f"{override}: unknown section '{unknown[0]}' for the web model "
                f"(known: {', '.join(SECTIONS)})"
            )
        if isinstance(user.get("sessions"), dict) and isinstance(
            raw.get("sessions"), dict
        ):
            # A partial sessions section keeps the shipped value of each
            # setting it leaves out (they are settings, not probabilities).
            user["sessions"] = {**raw["sessions"], **user["sessions"]}
        raw.update(user)
        sources.update({section: str(override) for section in user})
    return _build(raw, sources)


def _read(path: Path) -> dict[str, Any]:
    return read_mapping(path, "sections (a mapping) at the top level")


def _build(raw: dict[str, Any], sources: dict[str, str]) -> WebConfig:
    def file(section: str) -> str:
        return sources.get(section, SHIPPED.name)

    sessions = _mapping(raw.get("sessions"), f"{file('sessions')}: sessions")
    where = f"{file('sessions')}: sessions"
    per_day = _setting(sessions, "per_user_per_day", where)
    step = _setting(sessions, "step_seconds", where)
    jitter = _number(sessions.get("step_jitter", 0), f"{where}.step_jitter", 0)
    if jitter >= 1:
        raise ConfigError(f"{where}.step_jitter: must be below 1, not {jitter:g}")
    pages = _pages(raw.get("pages"), file("pages"))
    _check_ends(pages, file("pages"))
    groups = {name: _choice(raw.get(name), file(name), name) for name in GROUPS}
    strays = [p for p in groups["landing_pages"].names if p not in pages]
    if strays:
        raise ConfigError(
            f"{file('landing_pages')}: landing page '{strays[0]}' is not in pages"
        )
    return WebConfig(
        site=str(raw.get("site", "")).rstrip("/"),
        sessions_per_user_per_day=per_day,
        step_seconds=step,
        step_jitter=jitter,
        pages=pages,
        visits_per_hour=_hours(raw.get("visits_per_hour"), file("visits_per_hour")),
        devices=_devices(
            raw.get("devices") or {}, groups["operating_systems"], file("devices")
        ),
        locations=_locations(raw.get("locations"), f"{file('locations')}: locations"),
        sources=sources,
        **groups,
    )


def _mapping(value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{where}: expected a mapping of names to values")
    return value


def _setting(section: dict[Any, Any], key: str, where: str) -> float:
    """A positive number of the sessions section, the message naming key."""
    if key not in section:
        raise ConfigError(f"{where}.{key}: missing (a positive number)")
    value = _number(section[key], f"{where}.{key}")
    if value <= 0:
        raise ConfigError(f"{where}.{key}: must be positive, not {value:g}")
    return value


def _number(value: Any, where: str, low: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: expected a number, not {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, not {value!r}")
    if low is not None and value < low:
        raise ConfigError(f"{where}: must be at least {low}, not {value}")
    return float(value)


def _choice(value: Any, file: str, key: str, subject: str = "") -> Choice:
    """A group of probabilities: each a number >= 0, summing to 1."""
    weights = _mapping(value, f"{file}: {key}")
    for name, weight in weights.items():
        _number(weight, f"{file}: {key}.{name}", 0)
    total = sum(weights.values())
    if abs(total - 1) > _TOLERANCE:
        subject = subject or f"the probabilities in '{key}'"
        raise ConfigError(f"{file}: {subject} sum to {total:g}, not 1")
    return Choice(weights)


def _pages(value: Any, file: str) -> dict[str, Choice]:
    pages = _mapping(value, f"{file}: pages")
    if END in pages:
        raise ConfigError(f"{file}: pages: '{END}' ends a session; nothing follows it")
    choices = {}
    for page, targets in pages.items():
        choices[page] = _choice(
            targets, file, f"pages.{page}", f"the probabilities out of page '{page}'"
        )
        strays = [t for t in choices[page].names if t != END and t not in pages]
        if strays:
            raise ConfigError(
                f"{file}: pages.{page}: '{strays[0]}' is not a page (nor {END})"
            )
    return choices


def _check_ends(pages: dict[str, Choice], file: str) -> None:
    """ConfigError naming the pages from which no path (of probability above
    0) leads to session_end: a session reaching one would never end."""
    ending = {END}
    grew = True
    while grew:
        grew = False
        for page, choice in pages.items():
            if page not in ending and any(
                name in ending and weight > 0
                for name, weight in zip(choice.names, choice.probabilities)
            ):
                ending.add(page)
                grew = True
    stuck = [page for page in pages if page not in ending]
    if stuck:
        raise ConfigError(
            f"{file}: pages: no path to {END} from {', '.join(map(repr, stuck))} "
            "(a session there would never end)"
        )


def _hours(value: Any, file: str) -> list[float]:
    choice = _choice(value, file, "visits_per_hour")
    hours = dict(zip(choice.names, choice.probabilities))
    if sorted(hours) != list(range(24)):
        raise ConfigError(f"{file}: visits_per_hour: expected the hours 0 to 23, once")
    return [hours[hour] for hour in range(24)]


def _devices(value: Any, systems: Choice, file: str) -> dict[str, Choice]:
    """Device types for each operating system; Computer where none is given."""
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: devices: expected a mapping of operating systems")
    return {
        system: _choice(value.get(system, {"Computer": 1.0}), file, f"devices.{system}")
        for system in systems.names
    }


def _locations(value: Any, where: str) -> list[Location]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: expected a list of locations")
    locations = []
    for number, item in enumerate(value, 1):
        if not isinstance(item, Sequence) or len(item) != 5:
            raise ConfigError(
                f"{where} #{number}: expected [latitude, longitude, country, "
                "time zone, region]"
            )
        latitude, longitude, country, zone, region = item
        locations.append(
            Location(
                _number(latitude, f"{where} #{number}"),
                _number(longitude, f"{where} #{number}"),
                str(country),
                str(zone),
                str(region),
            )
        )
    return locations
