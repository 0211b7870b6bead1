"""Fixtures for the service's API tests: `python generate.py serve` as a real
subprocess on a free port, talked to over HTTP with httpx, with the shared
Kafka and PostgreSQL servers behind it."""

from __future__ import annotations

import base64
import copy
import json
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import ROOT, generate_command
from tests.services import ensure_service, free_port

DATA = Path(__file__).parent / "data"
#: How long a service may take to answer /health (importing datagen is slow).
START_SECONDS = 60.0
DATABASE = "postgresql://postgres@{address}/test"


class Service:
    """One running `generate.py serve`: its URL, an HTTP client, the process
    and the file its stderr goes to."""

    def __init__(self, options: list[str], log: Path, token: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=self.url, timeout=60, headers=headers)
        argv = generate_command("serve", "--port", self.port, *options)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("DATAGEN_TOKEN", None)
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    # -- starting and stopping

    def wait_ready(self, seconds: float = START_SECONDS) -> Service:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"serve exited with {self.process.returncode}: {self.stderr()}",
                    pytrace=False,
                )
            try:
                if self.client.get("/health", timeout=1).status_code in (200, 401):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"serve did not answer /health in {seconds} s", pytrace=False)

    def terminate(self, seconds: float = 30) -> int:
        """SIGTERM and wait; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"serve did not exit {seconds} s after SIGTERM", pytrace=False)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    # -- talking to it

    def add(self, body: Any) -> httpx.Response:
        return self.client.post("/generator/add", json=body)

    def add_ok(self, body: Any) -> list[dict[str, Any]]:
        """The generators an add answers with; fails the test unless 200."""
        response = self.add(body)
        assert response.status_code == 200, response.text
        generators: list[dict[str, Any]] = response.json()["generators"]
        return generators

    def status(self, generator_id: str) -> dict[str, Any]:
        response = self.client.get("/generator/status", params={"id": generator_id})
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def remove(self, generator_id: str) -> None:
        response = self.client.post("/generator/remove", params={"id": generator_id})
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "OK"}

    def wait_inactive(
        self, ids: list[str], seconds: float = 30
    ) -> list[dict[str, Any]]:
        """Each generator's status once none is active."""
        deadline = time.monotonic() + seconds
        while True:
            found = [self.status(item) for item in ids]
            if not any(item["active"] for item in found):
                return found
            assert time.monotonic() < deadline, f"still active after {seconds} s"
            time.sleep(0.05)

    def wait_done(self, ids: list[str], seconds: float = 30) -> list[dict[str, Any]]:
        """Each generator's status once none is active and every event sent
        is acknowledged or failed (its sink flushed and closed)."""
        deadline = time.monotonic() + seconds
        while True:
            found = self.wait_inactive(ids, seconds)
            if all(
                item["acknowledged"] + item["failed"] >= item["sent"] for item in found
            ):
                return found
            assert time.monotonic() < deadline, f"not flushed after {seconds} s"
            time.sleep(0.05)

    def preview(self, event: dict[str, Any], seed: int, count: int) -> list[Any]:
        """What POST /preview gives for event's source (schema, template,
        provider or declaration, and dataset) with seed."""
        body = {
            key: value
            for key, value in event.items()
            if key in ("schema", "template", "provider", "declaration", "dataset")
        }
        response = self.client.post(
            "/preview", json={**body, "seed": seed, "count": count}
        )
        assert response.status_code == 200, response.text
        events: list[Any] = response.json()["events"]
        return events

    def metrics(self) -> str:
        response = self.client.get("/metrics")
        assert response.status_code == 200, response.text
        return response.text


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """serve(*options, token=None, ready=True): a started service (waited for
    until /health answers); every one is stopped with SIGTERM at the end."""
    started: list[Service] = []

    def start(
        *options: object, token: str | None = None, ready: bool = True
    ) -> Service:
        argv = [str(option) for option in options]
        if token is not None:
            argv += ["--token", token]
        log = tmp_path / f"serve-{len(started)}.stderr"
        service = Service(argv, log, token)
        started.append(service)
        return service.wait_ready() if ready else service

    yield start
    for service in started:
        service.terminate()
        service.client.close()


@pytest.fixture(scope="module")
def module_serve(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Service]]:
    """serve() for services a whole module shares."""
    started: list[Service] = []
    folder = tmp_path_factory.mktemp("serve")

    def start(*options: object, token: str | None = None) -> Service:
        argv = [str(option) for option in options]
        if token is not None:
            argv += ["--token", token]
        service = Service(argv, folder / f"serve-{len(started)}.stderr", token)
        started.append(service)
        return service.wait_ready()

    yield start
    for service in started:
        service.terminate()
        service.client.close()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """'127.0.0.1:9092': the shared Kafka-protocol broker."""
    return ensure_service("kafka")


@pytest.fixture(scope="session")
def database_url() -> str:
    """The shared PostgreSQL's URL (trust auth, database test)."""
    return DATABASE.format(address=ensure_service("postgresql"))


def eventually(check: Callable[[], Any], what: str, seconds: float = 10) -> Any:
    """check()'s first truthy answer, asked every 20 ms; fails saying what
    did not happen within seconds."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} (waited {seconds:g} s)"
        time.sleep(0.02)
    return found


def unique(prefix: str) -> str:
    """A topic or table name no other test or run uses (lower case, so a
    table's name needs no quoting)."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def eventer_body(name: str, interval: str = "20ms", **names: str) -> dict[str, Any]:
    """The Eventer README's request body `name` (eventer_kafka or
    eventer_postgres) with every event's interval set and each destination's
    topic or table renamed: names maps the README's (boo, moo) to new ones."""
    body: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    body = copy.deepcopy(body)
    for event in body["events"]:
        event["interval"] = interval
    for destination in body["destinations"]:
        config = destination[destination["type"]]
        field = "topic" if "topic" in config else "table"
        config[field] = names.get(config[field], config[field])
    return body


def template_of(event: dict[str, Any]) -> str:
    """An Eventer event's Jsonnet template (its schema is base64)."""
    return base64.b64decode(event["schema"]).decode()


def simple_body(
    template: str = "{ id: std.native('get_integer')(1, 1000000), word: 'hi' }",
    destination: dict[str, Any] | None = None,
    **event: Any,
) -> dict[str, Any]:
    """An add body with one schedule: template to destination (`none` by
    default), with event's fields (interval 1s unless given)."""
    return {
        "destinations": [{"id": "d", **(destination or {"type": "none"})}],
        "events": [{"id": "e", "template": template, "interval": "1s", **event}],
        "schedules": [{"destination_id": "d", "event_id": "e"}],
    }
