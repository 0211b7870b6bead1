"""Every refusal of the service over HTTP: its status code and one line of
`{"error": ...}` naming the field or value at fault, never a secret.

The service here is started with servers that cannot be reached (a database
URL holding a password, a Kafka port nothing listens on) and small limits."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.service.conftest import Service, simple_body, unique
from tests.services import free_port

SECRET = "s3cretpw"
MAX_BODY = 8192
MAX_GENERATORS = 3
MAX_RATE = 1500


@pytest.fixture(scope="module")
def service(module_serve: Callable[..., Service]) -> Service:
    nowhere = free_port()
    return module_serve(
        "--kafka",
        f"127.0.0.1:{nowhere}",
        "--database",
        f"postgresql://postgres:{SECRET}@127.0.0.1:{nowhere}/test",
        "--max-generators",
        MAX_GENERATORS,
        "--max-rate",
        MAX_RATE,
        "--max-body",
        MAX_BODY,
    )


@pytest.fixture
def cleanup(service: Service) -> Iterator[list[str]]:
    """Ids of generators a test started, removed at its end."""
    ids: list[str] = []
    yield ids
    for generator_id in ids:
        service.remove(generator_id)


def refused(response: httpx.Response, status: int, *words: str) -> str:
    """The error line of response, checked: status, JSON `error`, one line,
    naming each of words, no secret and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"], body
    message = body["error"]
    assert isinstance(message, str) and message.strip()
    assert "\n" not in message
    assert SECRET not in message and "Traceback" not in message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def event_body(**event: Any) -> dict[str, Any]:
    """simple_body() with event's fields set (None: the field removed)."""
    body = simple_body(count=1)
    for field, value in event.items():
        if value is None:
            del body["events"][0][field]
        else:
            body["events"][0][field] = value
    return body


def test_invalid_json_is_400(service: Service) -> None:
    response = service.client.post("/generator/add", content=b'{"destinations": [')
    refused(response, 400, "not valid JSON")


@pytest.mark.parametrize("content", [b"", b"   "])
def test_empty_body_is_400(service: Service, content: bytes) -> None:
    refused(service.client.post("/generator/add", content=content), 400, "empty")


@pytest.mark.parametrize(
    "body, field",
    [
        ([], "the request body"),
        ({"destinations": []}, "destinations"),
        ({**simple_body(), "extra": 1}, "extra"),
        ({**simple_body(), "schedules": "d"}, "schedules"),
    ],
)
def test_malformed_bodies_name_the_field(
    service: Service, body: Any, field: str
) -> None:
    refused(service.add(body), 400, field)


@pytest.mark.parametrize("schema", ["!!!not base64!!!", "YWJj*", "YQ"])
def test_bad_base64_is_400(service: Service, schema: str) -> None:
    body = event_body(template=None, schema=schema)
    refused(service.add(body), 400, "events[0].schema", "base64")


def test_schema_that_is_not_utf8_is_400(service: Service) -> None:
    body = event_body(template=None, schema=base64.b64encode(b"\xff\xfe{").decode())
    refused(service.add(body), 400, "events[0].schema")


@pytest.mark.parametrize(
    "template, where",
    [
        ("{\n  a: 1 +\n}", "3:1"),
        ("{\n  a: std.native('nope')(1),\n}", "2:6"),
        ("{\n  a: error 'boom',\n}", "2:6"),
    ],
)
def test_jsonnet_error_is_400_with_line_and_column(
    service: Service, template: str, where: str
) -> None:
    message = refused(service.add(event_body(template=template)), 400, "template:")
    line = where.split(":")[0]
    assert f"template:{line}:" in message


def test_jsonnet_error_names_the_event_field(service: Service) -> None:
    schema = base64.b64encode(b"{\n  a: 1 +\n}").decode()
    refused(service.add(event_body(template=None, schema=schema)), 400, "events[0]")


def test_unknown_destination_id_is_400(service: Service) -> None:
    body = simple_body()
    body["schedules"][0]["destination_id"] = "d9"
    refused(service.add(body), 400, "schedules[0].destination_id", "d9")


def test_unknown_event_id_is_400(service: Service) -> None:
    body = simple_body()
    body["schedules"][0]["event_id"] = "e9"
    refused(service.add(body), 400, "schedules[0].event_id", "e9")


def test_unknown_destination_type_is_400(service: Service) -> None:
    body = simple_body(destination={"type": "kafkaa", "kafkaa": {"topic": "t"}})
    refused(service.add(body), 400, "destinations[0].type", "kafkaa")


@pytest.mark.parametrize(
    "interval",
    ["10 parsecs", "", "10", "1d", "-1s", "500us", "999999ns", "0.5ms", "0", 10],
)
def test_bad_interval_is_400(service: Service, interval: Any) -> None:
    body = event_body(interval=interval)
    refused(service.add(body), 400, "events[0].interval")


def test_missing_interval_is_400(service: Service) -> None:
    refused(service.add(event_body(interval=None)), 400, "events[0].interval")


@pytest.mark.parametrize(
    "interval",
    ["1ms", "1000us", "1000µs", "1000μs", "1000000ns", "0.5s", "2m", "1h", "1h2m3.5s"],
)
def test_every_unit_of_interval_is_taken(
    service: Service, interval: str, cleanup: list[str]
) -> None:
    (added,) = service.add_ok(event_body(interval=interval, count=1))
    cleanup.append(added["id"])
    assert service.status(added["id"])["active"] is True


@pytest.mark.parametrize("count", ["10", 1.5, True, [10], {"n": 1}])
def test_count_not_a_whole_number_is_400(service: Service, count: Any) -> None:
    refused(service.add(event_body(count=count)), 400, "events[0].count")


def test_unknown_generator_is_404(service: Service) -> None:
    unknown = "12345678901234567890"
    refused(
        service.client.get("/generator/status", params={"id": unknown}), 404, unknown
    )
    refused(
        service.client.post("/generator/remove", params={"id": unknown}), 404, unknown
    )
    refused(service.client.post("/generator/remove", json={"id": unknown}), 404)
    refused(
        service.client.get("/generator/stream", params={"id": unknown}), 404, unknown
    )


@pytest.mark.parametrize("value", ["abc", "-1", "18446744073709551616", "1.5", " 7"])
def test_generator_id_not_a_uint64_is_400(service: Service, value: str) -> None:
    refused(
        service.client.get("/generator/status", params={"id": value}),
        400,
        "generator id",
    )


def test_missing_generator_id_is_400(service: Service) -> None:
    refused(service.client.get("/generator/status"), 400, "generator id")
    refused(service.client.post("/generator/remove"), 400, "generator id")


def test_unreachable_database_is_503_without_the_password(service: Service) -> None:
    table = unique("unreachable")
    body = simple_body(destination={"type": "postgres", "postgres": {"table": table}})
    refused(service.add(body), 503, f"postgres table {table}")
    assert SECRET not in service.client.get("/generators").text
    assert SECRET not in service.client.get("/config").text


def test_unreachable_kafka_is_503(service: Service) -> None:
    topic = unique("unreachable")
    body = simple_body(destination={"type": "kafka", "kafka": {"topic": topic}})
    refused(service.add(body), 503, f"kafka topic {topic}")


def test_a_refused_request_starts_nothing(service: Service) -> None:
    """One schedule whose sink cannot open: the other schedule does not start."""
    body = simple_body(count=1)
    body["destinations"].append(
        {"id": "p", "type": "postgres", "postgres": {"table": unique("half")}}
    )
    body["schedules"].append({"destination_id": "p", "event_id": "e"})
    before = service.client.get("/generators").json()["generators"]
    refused(service.add(body), 503, "postgres table")
    assert service.client.get("/generators").json()["generators"] == before


def test_body_over_the_cap_is_413(service: Service) -> None:
    body = event_body(template="{ a: '" + "x" * MAX_BODY + "' }")
    refused(service.add(body), 413, f"{MAX_BODY:,}")


def test_streamed_body_over_the_cap_is_413(service: Service) -> None:
    """A chunked body (no Content-Length) is cut off at the cap too."""

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 1024

    response = service.client.post("/generator/add", content=chunks())
    refused(response, 413, f"{MAX_BODY:,}")


def listed_ids(service: Service) -> list[str]:
    """The ids /generators lists (each generator's record has a running clock)."""
    return [
        item["id"] for item in service.client.get("/generators").json()["generators"]
    ]


def test_too_many_generators_is_429(service: Service, cleanup: list[str]) -> None:
    for index in range(MAX_GENERATORS):
        body = event_body(template=f"{{ n: {index} }}", interval="1h")
        cleanup.append(service.add_ok(body)[0]["id"])
    before = listed_ids(service)
    body = event_body(template="{ n: 'one more' }", interval="1h")
    refused(service.add(body), 429, "too many generators", str(MAX_GENERATORS))
    assert listed_ids(service) == before
    # the same request as a running one is no new generator: not refused
    again = event_body(template="{ n: 0 }", interval="1h")
    assert service.add_ok(again)[0]["id"] == cleanup[0]


def test_total_rate_over_the_cap_is_429(service: Service, cleanup: list[str]) -> None:
    body = event_body(template="{ n: 'fast' }", interval="1ms", count=0)
    cleanup.append(service.add_ok(body)[0]["id"])
    other = event_body(template="{ n: 'fast too' }", interval="1ms", count=0)
    refused(service.add(other), 429, "events a second", f"{MAX_RATE:,}")


@pytest.mark.parametrize(
    "kind, field, value",
    [
        ("kafka", "bootstrap_servers", "evil:9092"),
        ("postgres", "host", "evil.example"),
        ("postgres", "port", 5433),
        ("postgres", "user", "admin"),
        ("postgres", "password", "hunter2pw"),
        ("postgres", "db", "other"),
    ],
)
def test_request_cannot_name_hosts_or_logins(
    service: Service, kind: str, field: str, value: Any
) -> None:
    name = "topic" if kind == "kafka" else "table"
    destination = {"type": kind, kind: {name: "t1", field: value}}
    message = refused(
        service.add(simple_body(destination=destination)),
        400,
        f"destinations[0].{kind}.{field}",
    )
    assert str(value) not in message


def test_preview_errors_name_the_field(service: Service) -> None:
    refused(
        service.client.post("/preview", json={"template": "{ a: 1 }", "count": 0}),
        400,
        "count",
    )
    refused(service.client.post("/preview", json={"count": 1}), 400, "template")
    refused(
        service.client.post("/preview", json={"provider": "no_such_provider"}),
        400,
        "no_such_provider",
    )


def test_no_secret_in_the_service_output(service: Service) -> None:
    assert "postgresql://postgres:***@" in service.stderr()
    assert SECRET not in service.stderr()
