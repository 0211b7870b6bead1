"""fake-web-events' Simulation, run by datagen's web model.

    simulation = Simulation(user_pool_size=100, sessions_per_day=100000)
    events = simulation.run(duration_seconds=60)
    for event in events:
        print(event)

As in fake-web-events 0.2.5 (the release pip installs):

- run(duration_seconds) is a generator of single events, each a new dict with
  the original's fields in its order (event_id, event_timestamp as
  "2020-07-05 14:32:45.407110", ..., utm_medium, utm_source, utm_content,
  utm_campaign, click_id, geo_latitude and geo_longitude as text, ...);
- duration_seconds is real time, counted from the call; simulated time is not
  paced, so it runs as fast as events are made, from init_time (default: now)
  in steps of batch_size simulated seconds (+-30%), and a second run() goes on
  where the first stopped;
- user_pool_size users share sessions_per_day sessions, spread over the day
  by visits_per_hour (hours of init_time's clock);
- a config.yml in the working directory overrides the probabilities (read
  when the Simulation is made).

Values are random; random.seed(n) before making the Simulation repeats them
(or pass seed=n).
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from datagen.engine.model import Window
from datagen.engine.models.web.config import load_web_config
from datagen.engine.models.web.sessions import WebSessions
from datagen.engine.runner import Keyed
from datagen.engine.simulation import MAX_ACTORS
from datagen.engine.simulation import Simulation as EngineSimulation
from datagen.errors import ConfigError
from datagen.seeding import derive_seed, random_uuid

#: page_url's start in fake-web-events (datagen's web model ships https://).
SITE = "http://www.dummywebsite.com"
SHIPPED_SITE = "https://www.dummywebsite.com"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
#: datagen's field -> fake-web-events' field.
RENAMED = {
    "marketing_medium": "utm_medium",
    "marketing_source": "utm_source",
    "marketing_content": "utm_content",
    "marketing_campaign": "utm_campaign",
    "marketing_click_id": "click_id",
}
#: Fields fake-web-events gives as text (Faker's coordinates are strings).
AS_TEXT = frozenset({"geo_latitude", "geo_longitude"})


class Simulation:
    """fake-web-events' Simulation(user_pool_size, sessions_per_day,
    batch_size, init_time); bad arguments raise a one-line ConfigError."""

    def __init__(
        self,
        user_pool_size: int,
        sessions_per_day: int = 10000,
        batch_size: int = 10,
        init_time: datetime | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        self.user_pool_size = _pool_size(user_pool_size)
        self.sessions_per_day = _positive(sessions_per_day, "sessions_per_day")
        self.batch_size = _positive(batch_size, "batch_size")
        if init_time is None:
            init_time = datetime.now()
        elif not isinstance(init_time, datetime):
            raise ConfigError(
                f"init_time must be a datetime, not {type(init_time).__name__}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ConfigError(f"seed must be a whole number, not {seed!r}")
        self.init_time = init_time
        self.seed = random.getrandbits(32) if seed is None else seed
        self.qty_events = 0
        # A naive init_time is taken as UTC inside, so its clock hours are
        # the hours of the visits_per_hour curve and of every timestamp.
        self._zone = init_time.tzinfo or timezone.utc
        try:
            self._start = init_time.replace(tzinfo=self._zone).timestamp()
        except (OverflowError, ValueError, OSError) as exc:
            raise ConfigError(f"init_time {init_time}: {exc}") from None
        self._moment = self._start
        config = load_web_config()  # the shipped file, then ./config.yml
        config = dataclasses.replace(
            config,
            site=SITE if config.site == SHIPPED_SITE else config.site,
            sessions_per_user_per_day=self.sessions_per_day / self.user_pool_size,
            step_seconds=float(self.batch_size),
        )
        self._engine = EngineSimulation(
            WebSessions(config), actors=self.user_pool_size, seed=self.seed
        )
        self._engine.population  # the users are made now, as the original's pool
        self._ids = random.Random(derive_seed(self.seed, "event_id"))
        self._stream: Iterator[Keyed] | None = None

    @property
    def cur_time(self) -> datetime:
        """The simulated time of the last event run() yielded (init_time before)."""
        moment = datetime.fromtimestamp(self._moment, self._zone)
        return moment if self.init_time.tzinfo else moment.replace(tzinfo=None)

    def get_duration(self) -> timedelta:
        """Simulated time so far."""
        return self.cur_time - self.init_time

    def get_duration_str(self) -> str:
        """Simulated time so far, as '0 days, 1 hours, 2 minutes, 3 seconds'."""
        duration = self.get_duration()
        hours, rest = divmod(duration.seconds, 3600)
        return (
            f"{duration.days} days, {hours} hours, {rest // 60} minutes, "
            f"{rest % 60} seconds"
        )

    def run(self, duration_seconds: float) -> Iterator[dict[str, Any]]:
        """Events for duration_seconds of real time (the clock starts now),
        as fast as they are made; a generator, as in fake-web-events."""
        seconds = _number(duration_seconds, "duration_seconds")
        return self._run(time.monotonic() + seconds)

    def _run(self, deadline: float) -> Iterator[dict[str, Any]]:
        if self._stream is None:
            window = Window(self._start, None, self._zone, self.seed)
            self._stream = self._engine.keyed(window)
        stream, clock = self._stream, time.monotonic
        while clock() < deadline:
            keyed = next(stream, None)
            if keyed is None:  # every user is done (not with the web model)
                return
            moment, _, _, event = keyed
            self._moment = moment
            self.qty_events += 1
            yield self._original(moment, event)

    def _original(self, moment: float, event: dict[str, Any]) -> dict[str, Any]:
        """The event with fake-web-events' fields, in its order."""
        record = {"event_id": random_uuid(self._ids)}
        rename = RENAMED.get
        record.update([(rename(name, name), value) for name, value in event.items()])
        when = datetime.fromtimestamp(moment, self._zone)
        record["event_timestamp"] = when.strftime(TIME_FORMAT)
        for name in AS_TEXT:
            if name in record:
                record[name] = str(record[name])
        return record


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    if math.isnan(value):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    return float(value)


def _positive(value: Any, name: str) -> float:
    number = _number(value, name)
    if not 0 < number < math.inf:
        raise ConfigError(f"{name} must be above 0, not {value!r}")
    return value  # kept as given: an int stays an int, as in the original


def _pool_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"user_pool_size must be a whole number, not {value!r}")
    if not 1 <= value <= MAX_ACTORS:
        raise ConfigError(
            f"user_pool_size must be from 1 to {MAX_ACTORS:,}, not {value}"
        )
    return value
