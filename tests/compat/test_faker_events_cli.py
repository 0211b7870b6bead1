"""faker-events scripts under `simulate --script`, and what faker-events let
through that datagen refuses: `a & b >> c`, bad generator arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datagen import Event as DatagenEvent
from datagen.compat.faker_events import Event, EventGenerator
from datagen.errors import ConfigError
from tests.compat.test_faker_events_helpers import (  # noqa: F401 (fixture)
    fresh_generator,
    lines,
    ported,
)

pytestmark = pytest.mark.usefixtures("fresh_generator")


def test_a_script_that_also_starts_itself_runs_once(
    invoke: Any, tmp_path: Path
) -> None:
    """A script ending in `EventGenerator().start()` (the README's Python way)
    leaves the run to the command: its events come once, with its options."""
    source = """\
from faker_events import Event, EventGenerator, Stream

EventGenerator.set_stream(Stream(stype='stdout'))
hello = Event({'Name': 'hello'})
hello >> Event({'Name': 'bye'})
EventGenerator.set_first_events(hello)

EventGenerator(num_profiles=50).start()
"""
    script = tmp_path / "flow.py"
    script.write_text(ported(source))
    result = invoke("simulate", "--script", script, "--actors", 2, "--seed", 1)
    names = sorted(event["Name"] for event in lines(result.stdout))
    assert names == ["bye", "bye", "hello", "hello"]


@pytest.mark.parametrize("event_class", [Event, DatagenEvent])
def test_and_then_shift_without_brackets_is_refused(event_class: Any) -> None:
    """`a & b >> c` is `a & (b >> c)` in Python: b would be dropped."""
    a, b, c = (event_class({"Name": name}) for name in "abc")
    with pytest.raises(ConfigError, match=r"write `\(a & b\) >> c`"):
        a & b >> c
    assert a.next == [] and not a.group_by
    (a & b) >> c
    assert a.next == [b] and b.next == [c] and a.group_by


def test_and_then_shift_in_a_script_is_one_line(invoke: Any, tmp_path: Path) -> None:
    script = tmp_path / "grouped.py"
    script.write_text(
        ported(
            "from faker_events import Event, EventGenerator\n"
            "a, b, c = Event({'n': 1}), Event({'n': 2}), Event({'n': 3})\n"
            "a & b >> c\n"
            "EventGenerator.set_first_events(a)\n"
        )
    )
    result = invoke("simulate", "--script", script, ok=False)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "line 3" in message and "(a & b) >> c" in message
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: EventGenerator(0), "at least 1"),
        (lambda: EventGenerator("ten"), "whole number"),
        (lambda: EventGenerator(timezone=30), "between -24 and 24"),
        (lambda: EventGenerator(timezone="Mars/Base"), "unknown time zone"),
        (lambda: EventGenerator.set_first_events(["a"]), "give an Event"),
        (lambda: EventGenerator(1).start(epm=0), "epm must be a positive"),
        (lambda: Event({"a": 1}, limit=-1), "limit must be 0 or more"),
    ],
)
def test_bad_arguments_are_one_line_config_errors(call: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        call()
    assert "\n" not in str(raised.value)


def test_undeclared_keys_stay_out_as_in_faker_events() -> None:
    """'All values must be declared for the automatic value updates to occur.'"""

    def profiler(event: Any, profile: Any) -> dict[str, Any]:
        return {"Name": profile.first_name, "extra": 1, "nested": {"a": 2, "b": 3}}

    EventGenerator.set_first_events(Event({"Name": "", "nested": {"a": 0}}, profiler))
    events = list(EventGenerator(2).create_events())
    assert [list(event) for event in events] == [["Name", "nested"]] * 2
    assert all(event["nested"] == {"a": 2} for event in events)


def test_profiles_have_the_documented_attributes() -> None:
    documented = (
        "id uuid username gender first_name last_name prefix_name suffix_name "
        "birthdate blood_group email employer job full_address1 building_number1 "
        "street_name1 street_suffix1 state1 postcode1 city1 phone1 full_address2 "
        "building_number2 street_name2 street_suffix2 state2 postcode2 city2 "
        "phone2 driver_license license_plate"
    ).split()
    seen: list[Any] = []

    def profiler(event: Any, profile: Any) -> None:
        seen.append({name: getattr(profile, name) for name in documented})

    EventGenerator.set_first_events(Event({"n": 0}, profiler))
    list(EventGenerator(3).create_events())
    assert len(seen) == 3
    assert all(value not in (None, "") for values in seen for value in values.values())
