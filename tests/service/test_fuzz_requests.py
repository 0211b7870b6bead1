"""Hostile requests at a real service: random JSON bodies, the Eventer README's
body mutated, random bytes and random generator ids. Each is refused with a
4xx and a JSON `error` line, never a 500, and the service still answers.

The service has no Kafka or database, so a mutated body that parses still
cannot start anything but a `none` generator (and the cap stops those)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.conftest import Service, eventer_body

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROUTES = ("/generator/add", "/generator/remove", "/preview")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
#: Names a mutation is likely to hit something with: the body's own keys.
KEYS = st.sampled_from(
    [
        "id",
        "type",
        "kafka",
        "postgres",
        "topic",
        "table",
        "schema",
        "template",
        "provider",
        "declaration",
        "count",
        "interval",
        "seed",
        "dataset",
        "destination_id",
        "event_id",
        "key",
        "host",
        "password",
    ]
) | st.text(max_size=8)


@pytest.fixture(scope="module")
def service(module_serve: Callable[..., Service]) -> Service:
    return module_serve("--max-generators", 2, "--max-body", 65536)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside value (the empty path is value itself)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def mutated_eventer_bodies(draw: st.DrawFn) -> Any:
    """The README's Kafka body with one to three parts replaced, removed or
    added to."""
    body: Any = copy.deepcopy(eventer_body("eventer_kafka"))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(body)))
        operation = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            body = draw(json_values) if operation == "replace" else body
            continue
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if operation == "replace":
            parent[last] = draw(json_values | KEYS)
        elif operation == "delete":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(KEYS)] = draw(json_values)
        elif isinstance(parent[last], list):
            parent[last].append(draw(json_values))
        else:
            parent[last] = draw(st.text(max_size=20))
    return body


def check_refused(service: Service, response: httpx.Response) -> None:
    """A 4xx with one JSON error line, and the service still healthy."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str), body
    assert body["error"] and "\n" not in body["error"]
    assert service.client.get("/health").status_code == 200


@FUZZ
@given(body=json_values, route=st.sampled_from(ROUTES))
def test_random_json_is_refused(service: Service, body: Any, route: str) -> None:
    if route == "/generator/remove" and isinstance(body, dict):
        body.pop("id", None)  # a dict without an id: nothing to remove
    response = service.client.post(route, content=json.dumps(body))
    check_refused(service, response)


@FUZZ
@given(body=mutated_eventer_bodies())
def test_mutated_eventer_body_is_refused(service: Service, body: Any) -> None:
    check_refused(service, service.client.post("/generator/add", json=body))


@settings(FUZZ, max_examples=60)
@given(content=st.binary(max_size=300), route=st.sampled_from(ROUTES))
def test_random_bytes_are_refused(service: Service, content: bytes, route: str) -> None:
    try:
        json.loads(content)
    except ValueError:
        pass
    else:  # bytes that happen to be JSON are the other test's
        return
    check_refused(service, service.client.post(route, content=content))


@settings(FUZZ, max_examples=60)
@given(
    generator_id=st.text(max_size=30) | st.integers(-(2**65), 2**65).map(str),
    route=st.sampled_from(
        [
            ("GET", "/generator/status"),
            ("POST", "/generator/remove"),
            ("GET", "/generator/stream"),
        ]
    ),
)
def test_random_ids_are_refused(
    service: Service, generator_id: str, route: tuple[str, str]
) -> None:
    method, path = route
    response = service.client.request(method, path, params={"id": generator_id})
    check_refused(service, response)


@pytest.mark.parametrize(
    "content",
    [b"[" * 60_000, b'{"a":' * 5000, b"\xff\xfe\x00", b'{"id": 1e999}'],
)
def test_pathological_bodies_are_refused(service: Service, content: bytes) -> None:
    for route in ROUTES:
        check_refused(service, service.client.post(route, content=content))


def test_no_request_failed_inside_the_service(service: Service) -> None:
    """Run last: nothing the fuzzing sent made a 500 or a traceback."""
    metrics = service.metrics()
    assert 'status="400"' in metrics  # the fuzzing did reach it
    assert 'status="500"' not in metrics
    assert "Traceback" not in service.stderr()
