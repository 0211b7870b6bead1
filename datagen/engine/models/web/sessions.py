"""Web sessions: users visit a site, page to page, at the hours people browse.

fake-web-events' model, run per actor: sessions arrive at random (a Poisson
process whose rate follows the hour-of-day curve; a pool of users drawn with
replacement is the same thing seen per user), start on a landing page, and
move every step (about 10 simulated seconds, with jitter) along the page
graph until session_end. An event is emitted only when the page changes.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from datagen.engine.actors import Actor
from datagen.engine.model import Edge, Graph
from datagen.engine.model import Emission, Window
from datagen.engine.models.web.config import END, WebConfig
from datagen.engine.models.web.users import user_fields
from datagen.seeding import random_uuid

_HOUR, _DAY = 3600.0, 86400.0
#: Where referers count as search (fake-web-events' rule); any other is internal.
SEARCH_ENGINES = frozenset({"google", "bing"})


class SessionArrivals:
    """Session start times for one user: a Poisson process whose rate per
    hour of day is per_day * share[hour], worked in "expected sessions so far"
    (the integrated rate), so each next start is one exponential draw away."""

    def __init__(self, per_day: float, shares: list[float]) -> None:
        total = sum(shares)
        self.per_day = per_day
        self.rates = [per_day * share / total / _HOUR for share in shares]
        self.cumulative = [0.0]
        for rate in self.rates:
            self.cumulative.append(self.cumulative[-1] + rate * _HOUR)

    def expected_by(self, local: float) -> float:
        """Expected sessions from local epoch 0 to local (seconds)."""
        day, second = divmod(local, _DAY)
        hour = min(int(second // _HOUR), 23)
        within = second - hour * _HOUR
        return day * self.per_day + self.cumulative[hour] + self.rates[hour] * within

    def time_of(self, expected: float) -> float:
        """The local time by which `expected` sessions are expected."""
        day, rest = divmod(expected, self.per_day)
        hour = min(bisect_right(self.cumulative, rest) - 1, 23)
        rate = self.rates[hour]
        within = (rest - self.cumulative[hour]) / rate if rate > 0 else 0.0
        return day * _DAY + hour * _HOUR + within


class WebSessions:
    """The behaviour model: each actor is one user of the site."""

    name: ClassVar[str] = "web"
    description: ClassVar[str] = "web sessions on a shop (fake-web-events' model)"
    default_duration = _DAY
    default_actors = 1000
    #: A live run's users are at most this much busier than the config says
    #: (a user's sessions cannot overlap): past it, more users join instead.
    max_intensity = 40.0
    needs_profiles = True  # user_custom_id is the profile's email
    #: All a user reads of its profile: a run that reads and saves no
    #: profiles file keeps only this column, not a person's 32 fields.
    profile_fields = ("email",)
    #: What a run's faults, record and checks read (a session's events share
    #: its marketing_click_id; a user's, user_domain_id).
    key_field = "marketing_click_id"
    time_field = "event_timestamp"
    actor_field = "user_domain_id"

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        pages = list(config.pages)
        self._index = {page: number for number, page in enumerate(pages)}
        self._urls = [f"{config.site}/{page}" for page in pages]
        self._paths = [f"/{page}" for page in pages]
        # Per page: cumulative weights and the page numbers they lead to (-1: end).
        self._moves = [
            (
                choice.cumulative,
                [self._index.get(target, -1) for target in choice.names],
            )
            for choice in config.pages.values()
        ]
        landing = config.landing_pages
        self._landing = (landing.cumulative, [self._index[p] for p in landing.names])
        self._arrivals = SessionArrivals(
            config.sessions_per_user_per_day, config.visits_per_hour
        )

    def warm_up_seconds(self, intensity: float) -> float:
        """A live run starts with sessions under way: it plays this long first
        (sessions last minutes; their pace does not change with intensity)."""
        return 60 * self.config.step_seconds

    def actor_events(self, actor: Actor, window: Window) -> Iterator[Emission]:
        """The user's pageviews in time order, session after session (a session
        that would start before the last one ended waits for it)."""
        config, rng = self.config, actor.rng
        random, log = rng.random, math.log
        user = user_fields(actor, config)
        urls, paths, moves = self._urls, self._paths, self._moves
        landing_cumulative, landing_pages = self._landing
        step = config.step_seconds
        spread = 2 * step * config.step_jitter
        shortest = step - spread / 2
        iso = window.iso
        arrivals = self._arrivals
        offset = _utc_offset(window)
        expected = arrivals.expected_by(window.start + offset)
        free_at = window.start
        per_session = 1.0 / window.intensity  # live --rate: sessions k times as often
        while True:
            expected -= log(1.0 - random()) * per_session
            moment = max(arrivals.time_of(expected) - offset, free_at)
            # Rest until the session starts (a wake-up): between sessions a
            # user holds neither the last one nor the next one's first event.
            yield moment, None
            session = self._session_fields(rng, user)
            page = landing_pages[
                bisect_right(landing_cumulative, random() * landing_cumulative[-1])
            ]
            yield moment, {
                "event_timestamp": iso(moment),
                "event_type": "pageview",
                "page_url": urls[page],
                "page_url_path": paths[page],
                **session,
            }
            while True:
                moment += shortest + spread * random()
                cumulative, targets = moves[page]
                following = targets[bisect_right(cumulative, random() * cumulative[-1])]
                if following < 0:
                    break
                if following != page:
                    page = following
                    yield moment, {
                        "event_timestamp": iso(moment),
                        "event_type": "pageview",
                        "page_url": urls[page],
                        "page_url_path": paths[page],
                        **session,
                    }
            free_at = moment
            del session

    def _session_fields(self, rng: Any, user: dict[str, Any]) -> dict[str, Any]:
        """Referer and marketing of one session, then the user's fields."""
        config = self.config
        source = config.utm_sources.draw(rng)
        return {
            "referer_url": f"www.{source}.com",
            "referer_url_scheme": "http",
            "referer_url_port": "80",
            "referer_medium": "search" if source in SEARCH_ENGINES else "internal",
            "marketing_medium": config.utm_mediums.draw(rng),
            "marketing_source": source,
            "marketing_content": config.ads.draw(rng),
            "marketing_campaign": config.campaigns.draw(rng),
            "marketing_click_id": random_uuid(rng),
            **user,
        }

    def graph(self) -> Graph:
        """The page graph: landing shares from the start dot, then each page's
        probabilities (staying included), session_end as the final node."""
        config = self.config
        graph = Graph("web sessions", nodes=[*config.pages, END], final={END})
        for page, share in zip(
            config.landing_pages.names, config.landing_pages.probabilities
        ):
            graph.entry[page] = f"{share:.0%}"
        for page, choice in config.pages.items():
            for target, share in zip(choice.names, choice.probabilities):
                graph.edges.append(Edge(page, target, f"{share:.0%}"))
        return graph


def _utc_offset(window: Window) -> float:
    """Seconds the run's time zone is ahead of UTC at the start (hours of day
    for the hour curve are local to it)."""
    start = datetime.fromtimestamp(window.start, window.timezone)
    offset = start.utcoffset()
    return offset.total_seconds() if offset is not None else 0.0
