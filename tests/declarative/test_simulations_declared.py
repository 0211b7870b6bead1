"""Declared simulations: every bad input is a problem at its field path, and
the examples run as their built-in twins do (same event keys and types)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from datagen.declarative.problems import Problems
from datagen.declarative.simulations import declared_simulation
from datagen.declarative.source import read_source
from datagen.engine.model import SIMULATIONS
from datagen.engine.simulation import Simulation
from datagen.errors import ConfigError, DatagenError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MACHINE: dict[str, Any] = {
    "provider": "bank",
    "kind": "simulation",
    "model": "state_machine",
    "states": ["offline", "online"],
    "initial": "offline",
    "tick": "1m",
    "subject": {
        "id": "user_id",
        "attributes": {"balance": {"gen": "integer", "min": 0, "max": 99}},
    },
    "transitions": [
        {
            "name": "login",
            "from": "offline",
            "to": "online",
            "percent": 10,
            "let": {"pay": {"gen": "integer", "min": 1, "max": 9}},
            "when": "pay <= balance",
            "set": {"balance": "balance - pay"},
        },
        {"name": "logout", "from": "online", "to": "offline", "percent": 50},
    ],
}
FLOW: dict[str, Any] = {
    "provider": "shop",
    "kind": "simulation",
    "model": "flow",
    "profile": {"orders": 0},
    "first": ["a"],
    "events": {
        "a": {"epm": 1, "next": ["b"], "fields": {"kind": "a"}},
        "b": {
            "limit": 3,
            "set": {"orders": "profile.orders + 1"},
            "fields": {"n": {"gen": "expr", "value": "profile.orders"}},
        },
    },
}
WEB: dict[str, Any] = {
    "provider": "shopweb",
    "kind": "simulation",
    "model": "web",
    "site": "https://x.example",
    "browsers": {"Chrome": 0.5, "Firefox": 0.5},
}


def declare(data: Any, tmp_path: Path) -> tuple[Any, Problems]:
    """The factory and the problems of data written as a YAML file."""
    file = tmp_path / "declared.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    problems = Problems()
    source = read_source(file, problems)
    assert source is not None, problems.lines()
    return declared_simulation(source, problems), problems


def changed(base: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> Any:
    data = copy.deepcopy(base)
    change(data)
    return data


def transition(index: int, **values: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["transitions"][index].update(values)

    return change


def event(name: str, **values: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["events"][name].update(values)

    return change


def top(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.update(values)


def drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(key)


BAD: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], Any], str, str]] = [
    # (id, base, change, path, words of the message)
    ("no model", MACHINE, drop("model"), "model", "missing"),
    ("bad model", MACHINE, top(model="state_machin"), "model", "state_machine?"),
    ("bad kind", MACHINE, top(kind="document"), "kind", "kind: simulation"),
    ("no provider", MACHINE, drop("provider"), "provider", "missing"),
    ("spaced name", MACHINE, top(provider="my bank"), "provider", "no spaces"),
    ("unknown key", MACHINE, top(transitons=[]), "transitons", "transitions?"),
    ("actors 0", MACHINE, top(actors=0), "actors", "at least 1"),
    ("locale", MACHINE, top(locale="klingon"), "locale", "unknown locale"),
    ("bad duration", MACHINE, top(duration="soon"), "duration", "length of time"),
    ("bad tick", MACHINE, top(tick="fast"), "tick", "length of time"),
    ("no states", MACHINE, drop("states"), "states", "missing"),
    ("twice", MACHINE, top(states=["a", "a"]), "states[1]", "listed twice"),
    ("initial", MACHINE, top(initial="offine"), "initial", "mean offline"),
    ("to", MACHINE, transition(0, to="onlin"), "transitions[0].to", "mean online"),
    ("from", MACHINE, transition(1, **{"from": "x"}), "transitions[1].from", "not"),
    ("over", MACHINE, transition(0, percent=150), "transitions[0].percent", "100"),
    ("under", MACHINE, transition(0, percent=-1), "transitions[0].percent", "0"),
    ("text", MACHINE, transition(0, percent="ten"), "transitions[0].percent", "num"),
    (
        "sum",
        MACHINE,
        lambda d: d["transitions"].append(
            {"name": "stay", "from": "online", "to": "online", "percent": 51}
        ),
        "transitions[2].percent",
        "sum to 101",
    ),
    (
        "same name",
        MACHINE,
        lambda d: d["transitions"].append(
            {"name": "logout", "from": "online", "to": "online", "percent": 1}
        ),
        "transitions[2].name",
        "already has",
    ),
    (
        "no name",
        MACHINE,
        lambda d: d["transitions"][1].pop("name"),
        "transitions[1].name",
        "missing",
    ),  # noqa: E501
    ("key", MACHINE, transition(0, guard="x"), "transitions[0].guard", "unknown"),
    ("syntax", MACHINE, transition(0, when="pay <"), "transitions[0].when", "valid"),
    ("name", MACHINE, transition(0, when="py < 1"), "transitions[0].when", "pay?"),
    (
        "set unknown",
        MACHINE,
        transition(0, set={"balanse": "1"}),
        "transitions[0].set.balanse",
        "balance?",
    ),
    (
        "set id",
        MACHINE,
        transition(0, set={"user_id": "'x'"}),
        "transitions[0].set.user_id",
        "id",
    ),
    (
        "set expr",
        MACHINE,
        transition(0, set={"balance": "balance +"}),
        "transitions[0].set.balance",
        "valid",
    ),
    ("emit", MACHINE, transition(0, emit={"a": 1}), "transitions[0].emit", "list"),
    (
        "let",
        MACHINE,
        transition(0, let={"pay": {"gen": "integr"}}),
        "transitions[0].let.pay.gen",
        "integer",
    ),
    (
        "attribute gen",
        MACHINE,
        lambda d: d["subject"]["attributes"].update(x={"gen": "nope"}),
        "subject.attributes.x.gen",
        "unknown generator",
    ),
    (
        "reserved attribute",
        MACHINE,
        lambda d: d["subject"]["attributes"].update(trigger=1),
        "subject.attributes.trigger",
        "every event",
    ),
    (
        "subject key",
        MACHINE,
        lambda d: d["subject"].update(ids="x"),
        "subject.ids",
        "id?",
    ),  # noqa: E501
    (
        "event attribute",
        MACHINE,
        top(event={"attributes": ["balanse"]}),
        "event.attributes[0]",
        "balance?",
    ),
    (
        "event field",
        MACHINE,
        top(event={"fields": {"to_state": 1}}),
        "event.fields.to_state",
        "has already",
    ),
    (
        "event expr",
        MACHINE,
        top(event={"fields": {"x": {"gen": "expr", "value": "nope + 1"}}}),
        "event.fields.x.value",
        "unknown name",
    ),
    ("first", FLOW, top(first=["c"]), "first[0]", "not an event"),
    ("next", FLOW, event("a", next=["bb"]), "events.a.next[0]", "b?"),
    ("epm", FLOW, event("a", epm=0), "events.a.epm", "more than 0"),
    ("limit", FLOW, event("b", limit=-1), "events.b.limit", "at least 0"),
    ("group", FLOW, event("b", group=True, limit=0), "events.b.group", "forever"),
    ("group text", FLOW, event("b", group="yes"), "events.b.group", "true or false"),
    ("unreached", FLOW, event("a", next=[]), "events.b", "never reached"),
    (
        "no fields",
        FLOW,
        lambda d: d["events"]["a"].pop("fields"),
        "events.a.fields",
        "missing",
    ),  # noqa: E501
    ("event key", FLOW, event("a", nxt=["b"]), "events.a.nxt", "next?"),
    (
        "let profile",
        FLOW,
        event("a", let={"profile": 1}),
        "events.a.let.profile",
        "profile",
    ),
    (
        "set",
        FLOW,
        event("b", set={"orders": "profile.orders +"}),
        "events.b.set.orders",
        "valid",
    ),  # noqa: E501
    ("when", FLOW, event("b", when="orderz > 1"), "events.b.when", "unknown name"),
    (
        "field name",
        FLOW,
        event("b", fields={"n": {"gen": "expr", "value": "proflie.orders"}}),
        "events.b.fields.n.value",
        "profile?",
    ),
    ("no events", FLOW, drop("events"), "events", "missing"),
    ("flow key", FLOW, top(states=["a"]), "states", "unknown key"),
    ("section", WEB, top(pags={}), "pags", "mean pages"),
    ("sum web", WEB, top(browsers={"Chrome": 0.5}), "browsers", "sum to 0.5"),
    (
        "page",
        WEB,
        top(pages={"home": {"hom": 0.5, "session_end": 0.5}}),
        "pages.home",
        "'hom' is not a page",
    ),
    (
        "jitter",
        WEB,
        top(sessions={"step_jitter": 2}),
        "sessions.step_jitter",
        "below 1",
    ),
    ("hours", WEB, top(visits_per_hour={0: 1.0}), "visits_per_hour", "0 to 23"),
]


@pytest.mark.parametrize(
    "base,change,path,words", [case[1:] for case in BAD], ids=[c[0] for c in BAD]
)
def test_each_bad_input_is_a_problem_at_its_path(
    tmp_path: Path, base: Any, change: Any, path: str, words: str
) -> None:
    factory, problems = declare(changed(base, change), tmp_path)
    assert factory is None
    found = [line for line in problems.lines() if f": {path}: " in line]
    assert found, problems.lines()
    assert words in found[0], found
    assert "declared.yaml:" in found[0]  # with its line


@pytest.mark.parametrize("base", [MACHINE, FLOW, WEB], ids=["machine", "flow", "web"])
def test_the_valid_bases_compile(tmp_path: Path, base: dict[str, Any]) -> None:
    factory, problems = declare(base, tmp_path)
    assert not problems, problems.lines()
    assert factory.name == base["provider"] and factory.description
    model = factory()
    assert model.name == base["provider"]
    events = list(Simulation(factory, actors=3, seed=1).run(duration="6h"))
    assert events


def test_every_problem_is_found_at_once_with_its_line(tmp_path: Path) -> None:
    data = changed(MACHINE, transition(0, to="x", percent=200, when="("))
    data["tick"] = "soon"
    factory, problems = declare(data, tmp_path)
    assert factory is None
    paths = {line.split(": ")[1] for line in problems.lines()}
    assert {
        "tick",
        "transitions[0].to",
        "transitions[0].percent",
        "transitions[0].when",
    } <= paths
    text = (tmp_path / "declared.yaml").read_text().splitlines()
    (percent_line,) = [line for line in problems.lines() if "percent" in line]
    number = int(percent_line.split(":")[1])
    assert "percent: 200" in text[number - 1]


# --- the examples and their built-in twins -----------------------------------


def example(name: str) -> Any:
    problems = Problems()
    source = read_source(EXAMPLES / f"{name}.yaml", problems)
    assert source is not None
    factory = declared_simulation(source, problems)
    assert not problems, problems.lines()
    return factory


def shapes(events: list[dict[str, Any]], kind: str) -> dict[Any, set[Any]]:
    """Per kind of event (its `kind` key's value): the (key, type) lists seen."""
    seen: dict[Any, set[Any]] = {}
    for item in events:
        keys = tuple((key, type(value).__name__) for key, value in item.items())
        seen.setdefault(item.get(kind), set()).add(keys)
    return seen


@pytest.mark.parametrize(
    "name,builtin,kind,duration",
    [
        ("banking", "banking", "trigger", "3d"),
        ("customers", "customers", "event_type", "3h"),
        ("web", "web", "event_type", "1d"),
    ],
)
def test_an_example_gives_the_events_of_its_builtin_twin(
    name: str, builtin: str, kind: str, duration: str
) -> None:
    declared = list(Simulation(example(name), actors=40, seed=5).run(duration=duration))
    original = list(Simulation(builtin, actors=40, seed=5).run(duration=duration))
    assert len(declared) > 50 and len(original) > 50
    mine, theirs = shapes(declared, kind), shapes(original, kind)
    assert set(mine) == set(theirs)
    assert mine == theirs


def test_example_defaults_and_descriptions() -> None:
    banking = example("banking")()
    assert banking.tick_seconds == 60 and banking.default_duration == 86_400
    assert banking.default_actors == 100 and not banking.needs_profiles
    customers = example("customers")()
    assert customers.default_duration == 3600
    web = example("web")()
    assert web.default_actors == 500 and web.config.site == "https://books.example.com"
    assert web.config.step_seconds == 15 and web.config.step_jitter == 0.3  # shipped


def test_banking_rules_hold_in_the_declared_twin() -> None:
    events = list(
        Simulation(example("banking"), actors=200, seed=2).run(duration="30d")
    )
    assert all(e["balance"] >= 0 for e in events)
    assert all(0 <= e["loan_balance"] <= 20_000 for e in events)
    loans = [e for e in events if e["trigger"] == "take_loan"]
    assert loans and {e["loan_balance"] for e in loans} <= {10_000, 20_000}


def test_purchases_count_in_the_profile() -> None:
    events = list(
        Simulation(example("customers"), actors=10, seed=4).run(duration="4h")
    )
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for item in events:
        if item["event_type"] == "purchase":
            by_customer.setdefault(item["customer_id"], []).append(item)
    for purchases in by_customer.values():
        assert [p["customer_orders"] for p in purchases] == list(
            range(1, len(purchases) + 1)
        )
        first = purchases[0]
        assert first["order_id"] == f"{first['customer_id']}-00001"


def test_job_changes_carry_the_signup_and_change_the_profile(tmp_path: Path) -> None:
    out = tmp_path / "profiles.json"
    sim = Simulation(example("customers"), actors=30, seed=8, profiles_out=out)
    events = list(sim.run(duration="12h"))
    changes = [e for e in events if e["event_type"] == "job_change"]
    assert changes
    signups = {e["customer_id"]: e for e in events if e["event_type"] == "new_customer"}
    for change in changes:
        assert change["created"] == signups[change["customer_id"]]["created"]
        assert change["first_name"] == signups[change["customer_id"]]["first_name"]
    # the declared profile fields are saved with the profiles, as `set` left
    # them (the engine makes each flow's next event, past the end, too)
    saved = {str(p["id"]): p for p in orjson.loads(out.read_bytes())}
    assert all("orders" in p and "spent" in p for p in saved.values())
    last = {e["customer_id"]: e for e in events if e["event_type"] == "purchase"}
    assert last and all(
        saved[c]["orders"] - e["customer_orders"] in (0, 1) for c, e in last.items()
    )


# --- state machine semantics -------------------------------------------------


def test_emit_labels_fans_out_and_silences(tmp_path: Path) -> None:
    data = copy.deepcopy(MACHINE)
    data["transitions"][0]["emit"] = ["audit", "ledger"]
    data["transitions"][1]["emit"] = []
    factory, problems = declare(data, tmp_path)
    assert not problems, problems.lines()
    events = list(Simulation(factory, actors=20, seed=3).run(duration="1d"))
    assert events and all(e["trigger"] == "login" for e in events)
    assert list(events[0])[:5] == [
        "timestamp",
        "trigger",
        "from_state",
        "to_state",
        "stream",
    ]
    audit = [e for e in events if e["stream"] == "audit"]
    ledger = [e for e in events if e["stream"] == "ledger"]
    assert len(audit) == len(ledger) == len(events) / 2
    assert [{**e, "stream": ""} for e in audit] == [{**e, "stream": ""} for e in ledger]


def test_guard_and_set_and_event_fields(tmp_path: Path) -> None:
    data = copy.deepcopy(MACHINE)
    data["event"] = {
        "attributes": ["balance"],
        "fields": {
            "move": {"gen": "template", "value": "{from_state}->{to_state}"},
            "rich": {"gen": "expr", "value": "balance > 50"},
        },
    }
    factory, problems = declare(data, tmp_path)
    assert not problems, problems.lines()
    events = list(Simulation(factory, actors=50, seed=3).run(duration="2d"))
    assert list(events[0]) == [
        "timestamp",
        "trigger",
        "from_state",
        "to_state",
        "balance",
        "move",
        "rich",
    ]
    assert all(e["balance"] >= 0 for e in events)
    assert all(e["move"] == f"{e['from_state']}->{e['to_state']}" for e in events)
    assert all(e["rich"] == (e["balance"] > 50) for e in events)


def test_a_failing_expression_is_one_line_naming_file_and_field(
    tmp_path: Path,
) -> None:
    data = changed(MACHINE, transition(0, set={"balance": "balance / (pay - pay)"}))
    factory, problems = declare(data, tmp_path)
    assert not problems
    with pytest.raises(DatagenError) as caught:
        list(Simulation(factory, actors=20, seed=3).run(duration="2d"))
    message = str(caught.value)
    assert "declared.yaml" in message and "transitions[0].set.balance" in message
    assert "\n" not in message


def test_config_is_refused_by_machines_and_flows_and_used_by_web(
    tmp_path: Path,
) -> None:
    factory, _ = declare(MACHINE, tmp_path)
    with pytest.raises(ConfigError, match="not used"):
        factory(config="x.yml")
    web, _ = declare(WEB, tmp_path)
    override = tmp_path / "override.yml"
    override.write_text("site: https://other.example\n")
    assert web(config=str(override)).config.site == "https://other.example"
    assert web().config.site == "https://x.example"


def test_registered_and_run_by_name() -> None:
    with SIMULATIONS.isolated():
        SIMULATIONS.add("banking_yaml_t", example("banking"), origin="examples")
        events = list(Simulation("banking_yaml_t", actors=5, seed=1).run(ticks=600))
        assert events and events == list(
            Simulation("banking_yaml_t", actors=5, seed=1).run(ticks=600, workers=2)
        )


def test_a_subject_refused_for_good_ends_with_the_run(tmp_path: Path) -> None:
    """Every transition refused: the run still ends at its end (the engine's
    StateMachine stops an actor refused past the window instead of spinning)."""
    factory, problems = declare(changed(MACHINE, transition(0, when=False)), tmp_path)
    assert not problems, problems.lines()
    assert list(Simulation(factory, actors=3, seed=1).run(duration="1d")) == []
