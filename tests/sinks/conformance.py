"""One conformance check that every sink passes against its real server.

A sink test module calls `check_sink_delivers(make_sink, read_back)`: the sink
receives events through send() and send_many(), is closed, and every event id
must then be readable from the server exactly once with its fields intact,
and the Delivery counts must say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datagen.sinks.base import BaseSink


def sample_events(count: int = 25, tag: str = "c") -> list[dict[str, Any]]:
    """Events with unique ids, a nested object and a list, like real documents."""
    return [
        {
            "id": f"{tag}-{index:05d}",
            "user_id": f"user-{index % 7}",
            "amount": round(index * 1.25, 2),
            "active": index % 2 == 0,
            "address": {"city": f"City {index % 5}", "postcode": f"{10000 + index}"},
            "tags": ["a", "b"][: index % 3],
        }
        for index in range(count)
    ]


def check_sink_delivers(
    make_sink: Callable[[], BaseSink],
    read_back: Callable[[], list[dict[str, Any]]],
    events: list[dict[str, Any]] | None = None,
    compare: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> None:
    """Send events one by one and in a batch; every id arrives once, counts agree.

    read_back returns what the server holds as dicts with at least "id";
    compare(sent, received) asserts field equality in the sink's own
    representation (default: the scalar top-level fields are equal).
    """
    events = events if events is not None else sample_events()
    sink = make_sink()
    half = len(events) // 2
    for event in events[:half]:
        sink.send(event)
    sink.send_many(events[half:])
    delivery = sink.close()
    assert delivery.sent == len(events), delivery
    assert delivery.acknowledged == len(events), delivery
    assert delivery.failed == 0, delivery
    received = read_back()
    ids = [row["id"] for row in received]
    assert sorted(ids) == sorted(event["id"] for event in events), "ids differ"
    assert len(set(ids)) == len(ids), "an id arrived twice"
    by_id = {row["id"]: row for row in received}
    for event in events:
        (compare or _compare_scalars)(event, by_id[event["id"]])


def _compare_scalars(sent: dict[str, Any], received: dict[str, Any]) -> None:
    for key, value in sent.items():
        if isinstance(value, (str, int, float, bool)):
            assert received[key] == value, (key, sent, received)
