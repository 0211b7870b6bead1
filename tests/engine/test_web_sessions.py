"""Web sessions: fields, order, and shares that match the configured probabilities."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from scipy.stats import chisquare

import datagen.engine.simulations  # noqa: F401 - registers `web`
from datagen.engine.actors import make_actor
from datagen.engine.model import SIMULATIONS, Window
from datagen.engine.runner import run_actors
from datagen.engine.models.web.config import END, load_web_config
from datagen.engine.models.web.sessions import WebSessions

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
FIELDS = (
    "event_timestamp event_type page_url page_url_path referer_url "
    "referer_url_scheme referer_url_port referer_medium marketing_medium "
    "marketing_source marketing_content marketing_campaign marketing_click_id "
    "geo_latitude geo_longitude geo_country geo_timezone geo_region_name ip_address "
    "browser_name browser_user_agent browser_language os os_name os_timezone "
    "device_type device_is_mobile user_custom_id user_domain_id"
).split()
USER_FIELDS = FIELDS[FIELDS.index("geo_latitude") :]


def run(users: int, days: float, seed: int = 3, zone=timezone.utc) -> list:
    model = SIMULATIONS.get("web")()
    window = Window(START, START + days * 86_400, zone)
    return list(run_actors(model, (make_actor(seed, i) for i in range(users)), window))


@lru_cache(maxsize=1)
def long_run() -> list:
    """About 60,000 sessions: 300 users for 20 days."""
    return run(300, 20)


def sessions(keyed: list) -> dict[str, list]:
    """Events by session (a session's click id is its own)."""
    grouped: dict[str, list] = defaultdict(list)
    for item in keyed:
        grouped[item[3]["marketing_click_id"]].append(item)
    return grouped


def test_every_event_has_the_fields_in_order():
    keyed = run(50, 1)
    assert len(keyed) > 500
    for _, _, _, event in keyed:
        assert list(event) == FIELDS
        assert event["event_type"] == "pageview"
        assert event["page_url"].endswith(event["page_url_path"])
        assert event["device_is_mobile"] == (event["device_type"] != "Computer")


def test_same_seed_same_stream_another_seed_another():
    assert run(40, 1) == run(40, 1)
    assert run(40, 1) != run(40, 1, seed=4)


def test_time_order_globally_and_per_user():
    keyed = run(200, 2)
    assert [k[:3] for k in keyed] == sorted(k[:3] for k in keyed)
    last: dict[int, float] = {}
    for moment, index, _, event in keyed:
        assert moment >= last.get(index, START)
        last[index] = moment


def test_a_user_keeps_device_and_place_but_each_session_has_its_marketing():
    by_user: dict[int, set] = defaultdict(set)
    clicks: dict[int, set] = defaultdict(set)
    for _, index, _, event in long_run():
        by_user[index].add(tuple(event[f] for f in USER_FIELDS))
        clicks[index].add(event["marketing_click_id"])
    assert all(len(values) == 1 for values in by_user.values())
    assert sum(map(len, clicks.values())) > 50_000


def test_events_come_only_when_the_page_changes_about_ten_seconds_apart():
    config = load_web_config()
    low = config.step_seconds * (1 - config.step_jitter)
    high = config.step_seconds * (1 + config.step_jitter)
    for visits in list(sessions(long_run()).values())[:5000]:
        for (before, *_, first), (after, *_, second) in zip(visits, visits[1:]):
            assert first["page_url"] != second["page_url"]
            gap = after - before
            # Some whole number of steps, each within step_seconds +- jitter.
            assert gap >= low and math.ceil(gap / high) <= math.floor(gap / low)


def test_landing_pages_and_moves_between_pages_match_the_configuration():
    config = load_web_config()
    landing: Counter[str] = Counter()
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    for visits in sessions(long_run()).values():
        pages = [item[3]["page_url_path"].lstrip("/") for item in visits]
        landing[pages[0]] += 1
        for page, following in zip(pages, [*pages[1:], END]):
            moves[page][following] += 1
    check_shares(
        landing,
        dict(zip(config.landing_pages.names, config.landing_pages.probabilities)),
    )
    for page, choice in config.pages.items():
        # Events show a page only when it changes: the shares of leaving it.
        shares = {
            target: share
            for target, share in zip(choice.names, choice.probabilities)
            if target != page
        }
        check_shares(moves[page], shares)


def test_sessions_start_by_the_hour_of_day_curve():
    config = load_web_config()
    starts = Counter(
        int(visits[0][3]["event_timestamp"][11:13])
        for visits in sessions(long_run()).values()
    )
    check_shares(starts, dict(enumerate(config.visits_per_hour)))


def test_hours_of_day_are_those_of_the_run_time_zone():
    config = load_web_config()
    zone = timezone(timedelta(hours=5))
    starts: Counter[int] = Counter()
    for visits in sessions(run(300, 10, zone=zone)).values():
        moment = datetime.fromtimestamp(visits[0][0], zone)
        assert visits[0][3]["event_timestamp"].endswith("+05:00")
        starts[moment.hour] += 1
    check_shares(starts, dict(enumerate(config.visits_per_hour)))


def test_sessions_per_user_and_day_follow_the_configuration():
    config = load_web_config()
    count = len(sessions(long_run()))
    expected = 300 * 20 * config.sessions_per_user_per_day
    assert abs(count - expected) < 4 * expected**0.5


def test_the_page_graph_shows_landing_pages_and_every_move():
    graph = WebSessions(load_web_config()).graph()
    assert graph.entry == {"home": "60%", "product_a": "25%", "product_b": "15%"}
    assert END in graph.final
    labels = {(e.source, e.target): e.label for e in graph.edges}
    assert labels[("cart", "payment")] == "50%" and len(labels) == 22


def check_shares(observed: Counter, shares: dict) -> None:
    keys = list(shares)
    counts = [observed[key] for key in keys]
    total = sum(counts)
    assert total == sum(observed.values()) and total > 1000
    expected = [total * shares[key] / sum(shares.values()) for key in keys]
    if len(keys) == 1:  # one way out: nothing to test but that it is the one
        return
    assert chisquare(counts, expected).pvalue > 0.001, (counts, expected)
