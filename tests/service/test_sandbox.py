"""What a request's source may not do, each refusal over HTTP: read the
server's files (Jsonnet imports of any kind), run code (a declaration's
expressions), or choose a server (hosts in a --sink-style URL)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from tests.service.conftest import Service, simple_body
from tests.service.test_errors import refused

SECRET_FILE = "/etc/hostname"


@pytest.fixture(scope="module")
def service(module_serve: Callable[..., Service]) -> Service:
    return module_serve()


@pytest.mark.parametrize(
    "template",
    [
        f"import '{SECRET_FILE}'",
        f"{{ a: importstr '{SECRET_FILE}' }}",
        f"{{ a: importbin '{SECRET_FILE}' }}",
        "{ a: import 'x.libsonnet' }",
        "{ a: importstr '../../../etc/passwd' }",
    ],
)
@pytest.mark.parametrize("route", ["/generator/add", "/preview"])
def test_templates_cannot_read_files(
    service: Service, template: str, route: str
) -> None:
    body = (
        simple_body(template) if route == "/generator/add" else {"template": template}
    )
    message = refused(service.client.post(route, json=body), 400, "cannot import")
    assert "template:1:" in message


def test_an_eventer_schema_cannot_read_files_either(service: Service) -> None:
    schema = base64.b64encode(f"{{ a: importstr '{SECRET_FILE}' }}".encode()).decode()
    body = simple_body()
    del body["events"][0]["template"]
    body["events"][0]["schema"] = schema
    refused(service.client.post("/generator/add", json=body), 400, "events[0].schema")
    assert service.client.get("/generators").json()["generators"] == []


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "open('/etc/hostname').read()",
        "().__class__.__bases__[0].__subclasses__()",
        "exec('1')",
    ],
)
def test_declarations_cannot_run_code(service: Service, expression: str) -> None:
    declaration = (
        "provider: sneaky\n"
        "fields:\n"
        "  n: {gen: integer, min: 1, max: 9}\n"
        f'  x: {{gen: expr, value: "{expression}"}}\n'
    )
    response = service.client.post(
        "/preview", json={"declaration": declaration, "count": 1}
    )
    refused(response, 400, "declaration.yaml:4: fields.x.value")


def test_a_template_cannot_name_a_server(service: Service) -> None:
    body = simple_body(
        destination={"type": "sink", "sink": {"name": "kafka://evil:9092/t"}}
    )
    refused(service.client.post("/generator/add", json=body), 400, "no sink is named")
