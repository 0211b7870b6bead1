"""--sink and --route: each event reaches every sink, or only the matching ones."""

from __future__ import annotations

from typing import Any

import pytest

from datagen.errors import ConfigError, SinkError, UnknownName
from datagen.sinks.memory import MemorySink
from datagen.sinks.router import CountedSink, Route, open_sinks
from datagen.redaction import redact


class PlainSink:
    """A user's sink: nothing but send()."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def send(self, event: dict[str, Any]) -> None:
        self.events.append(event)


EVENTS = [
    {"id": 1, "event_type": "click", "user": {"tier": "gold"}, "ok": True},
    {"id": 2, "event_type": "balance", "user": {"tier": "silver"}, "ok": False},
    {"id": 3, "event_type": "click", "user": {"tier": "silver"}, "ok": True},
]


def test_every_event_reaches_every_unrouted_sink() -> None:
    sinks = open_sinks(["memory", "memory"])
    for sink in sinks:
        sink.send_many(EVENTS)
    deliveries = [sink.close() for sink in sinks]
    assert all(isinstance(sink.sink, MemorySink) for sink in sinks)
    assert [sink.sink.events for sink in sinks] == [EVENTS, EVENTS]
    assert [d.acknowledged for d in deliveries] == [3, 3]
    assert all(d.complete and d.sink == "memory" for d in deliveries)


@pytest.mark.parametrize(
    "route, expected_ids",
    [
        ("event_type=click=memory", [1, 3]),
        ("user.tier=silver=memory", [2, 3]),
        ("ok=true=memory", [1, 3]),
        ("missing=x=memory", []),
    ],
)
def test_routes_send_only_matching_events(route: str, expected_ids: list[int]) -> None:
    [sink] = open_sinks([], [route])
    sink.send_many(EVENTS)
    delivery = sink.close()
    assert [event["id"] for event in sink.sink.events] == expected_ids
    assert delivery.acknowledged == len(expected_ids)


def test_a_plain_send_only_sink_is_counted() -> None:
    plain = PlainSink()
    sink = CountedSink(plain, "plain")
    sink.send_many(EVENTS)
    sink.send(EVENTS[0])
    delivery = sink.close()
    assert plain.events == [*EVENTS, EVENTS[0]]
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (4, 4, 0)


def test_route_spec_may_hold_equals_signs() -> None:
    route = Route.parse("event_type=click=kafka://h:9092/t?key=id&format=json")
    assert route == Route("event_type", "click", "kafka://h:9092/t?key=id&format=json")


@pytest.mark.parametrize("text", ["event_type=click", "=x=memory", "a==memory"])
def test_malformed_route_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="FIELD=VALUE=SPEC"):
        Route.parse(text)


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(UnknownName, match="unknown sink 'nope'.*memory"):
        open_sinks(["nope://x"])


@pytest.mark.parametrize(
    "spec, secret",
    [
        ("postgresql+psycopg://me:pa55word@db/test?table=t&key=id", "pa55word"),
        ("http://host/events?token=t0ken", "t0ken"),
        ("kafka://h:9092/t?registry=http://u:regpass@r:8081&key=id", "regpass"),
        ("https://acct.blob.core.windows.net/c?sv=2024&sig=s1gnature", "s1gnature"),
    ],
)
def test_redact_hides_passwords_tokens_and_signatures(spec: str, secret: str) -> None:
    shown = redact(spec)
    assert secret not in shown and "***" in shown
    assert shown.split("://")[0] == spec.split("://")[0]


def test_redact_leaves_a_spec_without_secrets_as_it_is() -> None:
    for spec in ("file:out.jsonl", "kafka://h:9092/t?key=user_id&format=avro"):
        assert redact(spec) == spec


class _FailsOnClose(PlainSink):
    def close(self) -> None:
        raise ConnectionError("lost the connection while closing")


def test_a_sink_failing_on_close_keeps_its_counts() -> None:
    sink = CountedSink(_FailsOnClose(), "closing")
    sink.send_many(EVENTS)
    with pytest.raises(SinkError, match="close\\(\\) failed.*lost the connection"):
        sink.close()
    assert sink.delivery.sink == "closing"
    assert (sink.delivery.sent, sink.delivery.acknowledged) == (3, 3)
