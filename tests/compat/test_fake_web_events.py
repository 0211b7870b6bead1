"""datagen.compat.fake_web_events runs fake-web-events' README with only the import
changed (its release, 0.2.5: https://pypi.org/project/fake-web-events/).

One test per part of that README, written from its text; runs last 0.5 to 1 s of
real time instead of the README's 60.
"""

from __future__ import annotations

import ast
import collections
import inspect
import json
import random
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from datagen.compat.fake_web_events import Simulation
from datagen.errors import ConfigError

#: The README's "typical fake event", field by field.
README_EVENT: dict[str, Any] = {
    "event_timestamp": "2020-07-05 14:32:45.407110",
    "event_type": "pageview",
    "page_url": "http://www.dummywebsite.com/home",
    "page_url_path": "/home",
    "referer_url": "www.instagram.com",
    "referer_url_scheme": "http",
    "referer_url_port": "80",
    "referer_medium": "internal",
    "utm_medium": "organic",
    "utm_source": "instagram",
    "utm_content": "ad_2",
    "utm_campaign": "campaign_2",
    "click_id": "b6b1a8ad-88ca-4fc7-b269-6c9efbbdad55",
    "geo_latitude": "41.75338",
    "geo_longitude": "-86.11084",
    "geo_country": "US",
    "geo_timezone": "America/Indiana/Indianapolis",
    "geo_region_name": "Granger",
    "ip_address": "209.139.207.244",
    "browser_name": "Firefox",
    "browser_user_agent": "Mozilla/5.0 (Macintosh; U; PPC Mac OS X 10_5_5; "
    "rv:1.9.6.20) Gecko/2012-06-06 09:24:19 Firefox/3.6.20",
    "browser_language": "tn_ZA",
    "os": "Android 2.0.1",
    "os_name": "Android",
    "os_timezone": "America/Indiana/Indianapolis",
    "device_type": "Mobile",
    "device_is_mobile": True,
    "user_custom_id": "vsnyder@hotmail.com",
    "user_domain_id": "3d648067-9088-4d7e-ad32-45d009e8246a",
}
PAGES = ["/home", "/product_a", "/product_b", "/cart", "/payment", "/confirmation"]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def when(event: dict[str, Any]) -> datetime:
    return datetime.strptime(event["event_timestamp"], TIME_FORMAT)


def sessions(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Events by session: one click id per session."""
    by_click: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for event in events:
        by_click[event["click_id"]].append(event)
    return by_click


def test_running_example_prints_events(capsys):
    """README, "Running", with the import changed (and 1 s, not 60)."""
    from datagen.compat.fake_web_events import Simulation

    simulation = Simulation(user_pool_size=100, sessions_per_day=100000)
    events = simulation.run(duration_seconds=1)

    for event in events:
        print(event)

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 100
    printed = [ast.literal_eval(line) for line in lines[:: max(1, len(lines) // 50)]]
    assert all(list(event)[1:] == list(README_EVENT) for event in printed)


def test_an_event_has_the_readme_fields_in_its_order_and_types():
    """README, the "typical fake event": its fields in its order, of its
    types; the release adds event_id (a uuid) first."""
    simulation = Simulation(user_pool_size=50, sessions_per_day=50000)
    events = list(simulation.run(duration_seconds=0.5))
    assert events
    for event in events[:: max(1, len(events) // 200)]:
        assert list(event) == ["event_id", *README_EVENT]
        for name, example in README_EVENT.items():
            assert type(event[name]) is type(example), name
        assert len(event["event_id"]) == 36 and event["event_id"][14] == "4"
        when(event)  # the README's timestamp format
        float(event["geo_latitude"]), float(event["geo_longitude"])
        assert event["page_url_path"] in PAGES
        assert (
            event["page_url"] == "http://www.dummywebsite.com" + event["page_url_path"]
        )
        assert event["referer_url"] == f"www.{event['utm_source']}.com"
        search = event["utm_source"] in ("google", "bing")
        assert event["referer_medium"] == ("search" if search else "internal")
        assert event["device_is_mobile"] == (event["device_type"] != "Computer")
        assert event["event_type"] == "pageview"
    json.dumps(events)  # plain values only


def test_simulation_steps_by_batch_size_and_emits_only_page_changes():
    """README, "Simulation": steps of batch_size seconds (with some
    randomness); an event only when the page differs from the previous one."""
    simulation = Simulation(user_pool_size=20, sessions_per_day=20000, batch_size=60)
    events = list(simulation.run(duration_seconds=0.5))
    gaps, pairs = [], 0
    for session in sessions(events).values():
        for before, after in zip(session, session[1:]):
            assert after["page_url_path"] != before["page_url_path"]
            gaps.append((when(after) - when(before)).total_seconds())
            pairs += 1
    assert pairs > 100
    assert min(gaps) >= 60 * 0.7 - 0.001  # at least one step of 60 s - 30%
    assert min(gaps) < 60 * 1.3  # and often only one


def test_run_is_a_generator_for_real_seconds_and_simulated_time_runs_faster():
    """README, "Simulate events": the duration is real time, simulated time
    runs faster, and run() returns a generator."""
    simulation = Simulation(user_pool_size=100, sessions_per_day=100000)
    began = time.monotonic()
    events = simulation.run(duration_seconds=1)
    assert inspect.isgenerator(events)
    stream = list(events)
    took = time.monotonic() - began
    assert 1 <= took < 3
    simulated = (when(stream[-1]) - simulation.init_time).total_seconds()
    assert simulated > 60 * took
    assert simulation.get_duration() == when(stream[-1]) - simulation.init_time
    assert simulation.qty_events == len(stream)
    assert list(simulation.run(duration_seconds=0)) == []


def test_init_time_is_where_simulated_time_starts_and_runs_go_on():
    """The release's signature: Simulation(user_pool_size, sessions_per_day,
    batch_size, init_time), positionally as its own tests call it."""
    start = datetime(2020, 7, 7, 0, 0, 0, 0)
    simulation = Simulation(10, 10000, 10, start)
    first = list(simulation.run(duration_seconds=0.3))
    second = list(simulation.run(duration_seconds=0.3))
    assert first and second
    assert start <= when(first[0]) < start + timedelta(hours=1)
    times = [when(event) for event in first + second]
    assert times == sorted(times)  # the second run goes on from the first
    assert simulation.cur_time == times[-1]
    assert simulation.get_duration_str().startswith(
        f"{(times[-1] - start).days} days, "
    )


def test_an_aware_init_time_keeps_its_zone_clock():
    """Timestamps (and the hours of visits_per_hour) are init_time's clock."""
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2020, 7, 7, 23, 30, tzinfo=paris)
    simulation = Simulation(10, 10000, 10, start)
    events = list(simulation.run(duration_seconds=0.2))
    assert events and when(events[0]) >= start.replace(tzinfo=None)
    assert simulation.cur_time.tzinfo is paris
    assert simulation.cur_time.replace(tzinfo=None) == when(events[-1])


def test_user_pool_users_have_many_sessions():
    """README, "User Pool": users are drawn with replacement, so a user has
    sessions over time."""
    simulation = Simulation(user_pool_size=5, sessions_per_day=20000)
    events = list(simulation.run(duration_seconds=0.5))
    clicks: dict[str, set[str]] = collections.defaultdict(set)
    for event in events:
        clicks[event["user_domain_id"]].add(event["click_id"])
    assert len(clicks) <= 5
    assert max(len(sessions) for sessions in clicks.values()) > 10
    fixed = {(e["user_domain_id"], e["ip_address"], e["os"]) for e in events}
    assert len(fixed) == len(clicks)  # a user keeps their place and device


def test_page_visit_distribution_is_the_readmes():
    """README, "Page visit distribution": /home most, then product_a,
    product_b, cart, payment, confirmation."""
    simulation = Simulation(user_pool_size=100, sessions_per_day=100000)
    counts = collections.Counter(
        event["page_url_path"] for event in simulation.run(duration_seconds=1)
    )
    assert sum(counts.values()) > 5000
    assert [page for page, _ in counts.most_common()] == PAGES


def test_page_views_follow_the_hours_of_the_day():
    """README, "Page views per hour": visit rates differ by hour of day
    (visits_per_hour: 18h has 0.0718 of a day's sessions, 4h 0.005)."""
    simulation = Simulation(100, 1000, 10, datetime(2020, 7, 7))
    hours = collections.Counter(
        when(event).hour for event in simulation.run(duration_seconds=1)
    )
    assert simulation.get_duration() > timedelta(days=1)
    assert hours[18] > 5 * hours[4]


def test_config_yml_in_the_working_directory_takes_precedence(tmp_path, monkeypatch):
    """README, "Advanced": a config.yml where the script runs overrides the
    probabilities (sections in the original's format)."""
    (tmp_path / "config.yml").write_text(
        yaml.safe_dump(
            {
                "landing_pages": {"product_b": 1.0},
                "utm_sources": {"google": 1.0},
                "browsers": {"Opera": 1.0},
            }
        )
    )
    monkeypatch.chdir(tmp_path)
    simulation = Simulation(user_pool_size=20, sessions_per_day=20000)
    events = list(simulation.run(duration_seconds=0.5))
    assert events
    assert {e["utm_source"] for e in events} == {"google"}
    assert {e["referer_medium"] for e in events} == {"search"}
    assert {e["browser_name"] for e in events} == {"Opera"}
    assert {s[0]["page_url_path"] for s in sessions(events).values()} == {"/product_b"}


def test_a_bad_config_yml_is_one_line_naming_it(tmp_path, monkeypatch):
    (tmp_path / "config.yml").write_text("browsers:\n  Chrome: 0.7\n  Safari: 0.7\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as error:
        Simulation(user_pool_size=10)
    assert "config.yml" in str(error.value) and "\n" not in str(error.value)


def test_examples_print_events_imports_the_simulation_module():
    """examples/print_events.py imports fake_web_events.simulation."""
    from datagen.compat.fake_web_events.simulation import Simulation as Module

    assert Module is Simulation


def test_examples_save_to_file(tmp_path, monkeypatch):
    """examples/save_to_file_get_statistics.py: json.dumps(list(events)) to
    events.json, read back and counted by hour and by page."""
    monkeypatch.chdir(tmp_path)

    simulation = Simulation(user_pool_size=100, sessions_per_day=10000)
    events = simulation.run(duration_seconds=0.5)

    with open("events.json", "w") as f:
        f.write(json.dumps(list(events)))

    read = json.loads((tmp_path / "events.json").read_text())
    per_hour = collections.Counter(e["event_timestamp"][:13] for e in read)
    assert len(read) > 100 and len(per_hour) > 1
    assert set(e["page_url_path"] for e in read) <= set(PAGES)


def test_random_seed_repeats_a_simulation():
    """Like the release's own tests (random.seed before the Simulation)."""
    firsts = []
    for _ in range(2):
        random.seed(7)
        simulation = Simulation(10, 10000, 10, datetime(2020, 7, 7))
        firsts.append(list(simulation.run(duration_seconds=0.2))[:50])
    assert len(firsts[0]) == 50 and firsts[0] == firsts[1]
    other = Simulation(10, 10000, 10, datetime(2020, 7, 7), seed=8)
    assert list(other.run(duration_seconds=0.2))[:50] != firsts[0]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"user_pool_size": 0}, "user_pool_size must be from 1"),
        ({"user_pool_size": "100"}, "user_pool_size must be a whole number"),
        ({"user_pool_size": 10, "sessions_per_day": 0}, "sessions_per_day must be"),
        ({"user_pool_size": 10, "batch_size": -1}, "batch_size must be above 0"),
        ({"user_pool_size": 10, "init_time": "2020-07-07"}, "init_time must be"),
    ],
)
def test_bad_arguments_are_one_line(arguments, message):
    with pytest.raises(ConfigError) as error:
        Simulation(**arguments)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_bad_duration_is_one_line():
    with pytest.raises(ConfigError, match="duration_seconds must be a number"):
        Simulation(user_pool_size=1).run(duration_seconds="60")  # type: ignore
