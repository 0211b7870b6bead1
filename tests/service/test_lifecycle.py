"""The service's life: SIGTERM with generators running (flushed, summarised,
nothing acknowledged lost), --state (a restart resumes the stream at the next
event), --token, refusing a public address without one, and /metrics
agreeing with status."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil  # type: ignore[import-untyped]
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import run_generate
from tests.service.conftest import Service, eventually, simple_body, unique
from tests.services import free_port
from tests.sinks.kafka_topics import read_topic

TEMPLATE = (
    "{ id: std.native('get_integer')(1, 1000000000),"
    " v: std.native('get_number')(0, 1) }"
)
SUMMARY = re.compile(
    r"^generator (\d+) \((.+)\): sent (\d+), acknowledged (\d+), failed (\d+)$"
)
TOKEN = "tok-3f9a1c77e2"


def kafka_body(topic: str, **event: Any) -> dict[str, Any]:
    return simple_body(TEMPLATE, {"type": "kafka", "kafka": {"topic": topic}}, **event)


def topic_values(bootstrap: str, topic: str, expected: int) -> list[Any]:
    return [
        orjson.loads(record.value) for record in read_topic(bootstrap, topic, expected)
    ]


def running(process: psutil.Process) -> bool:
    """True while process runs (an ended one may linger as a zombie when its
    parent, gone, left it to an init that does not reap)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def outliving(processes: list[psutil.Process], seconds: float) -> list[Any]:
    """Those of processes still running after seconds (the fork server takes
    a moment to see the service gone)."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [process for process in processes if running(process)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def summaries(stderr: str) -> dict[str, tuple[str, int, int, int]]:
    """generator id -> (destination, sent, acknowledged, failed) of the
    summary lines serve printed when it stopped."""
    found: dict[str, tuple[str, int, int, int]] = {}
    for line in stderr.splitlines():
        match = SUMMARY.match(line)
        if match:
            assert match.group(1) not in found, f"two summaries of {match.group(1)}"
            sent, acknowledged, failed = map(int, match.groups()[2:])
            found[match.group(1)] = (match.group(2), sent, acknowledged, failed)
    return found


def test_sigterm_stops_flushes_and_summarises_every_generator(
    serve: Callable[..., Service], kafka_bootstrap: str
) -> None:
    service = serve("--kafka", kafka_bootstrap)
    topics = [unique(f"sigterm{index}") for index in range(3)]
    ids = [
        service.add_ok(kafka_body(topic, count=0, interval="40ms"))[0]["id"]
        for topic in topics
    ]
    time.sleep(0.5)
    statuses = [service.status(item) for item in ids]
    assert all(item["active"] and item["sent"] > 0 for item in statuses)
    expected = [
        service.preview({"template": TEMPLATE}, item["seed"], 100) for item in statuses
    ]
    children = psutil.Process(service.process.pid).children(recursive=True)
    assert len(children) >= 3  # a process per generator (and a fork server)
    assert service.terminate() == 0
    assert not outliving(children, 5.0)
    stderr = service.stderr()
    found = summaries(stderr)
    assert sorted(found) == sorted(ids), stderr
    for generator_id, topic, events in zip(ids, topics, expected):
        destination, sent, acknowledged, failed = found[generator_id]
        assert destination == f"kafka topic {topic}"
        assert (acknowledged, failed) == (sent, 0)
        assert 0 < acknowledged < 100
        values = topic_values(kafka_bootstrap, topic, acknowledged)
        assert len(values) >= acknowledged
        assert values == events[: len(values)]  # in order, no gap, no duplicate
    assert "Traceback" not in stderr


def test_state_file_resumes_the_stream_at_the_next_event(
    serve: Callable[..., Service], kafka_bootstrap: str, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    topic = unique("resumed")
    first = serve("--kafka", kafka_bootstrap, "--state", state)
    (added,) = first.add_ok(kafka_body(topic, count=0, interval="100ms", seed=123))
    generator_id = added["id"]
    finite_topic = unique("resumed_finite")
    (finite,) = first.add_ok(
        kafka_body(finite_topic, count=30, interval="50ms", seed=9)
    )
    time.sleep(0.8)
    assert first.terminate() == 0
    before = summaries(first.stderr())
    produced = before[generator_id][2]
    produced_finite = before[finite["id"]][2]
    assert 0 < produced and 0 < produced_finite < 30
    saved = orjson.loads(state.read_bytes())["generators"]
    assert sorted(item["produced"] for item in saved) == sorted(
        [produced, produced_finite]
    )

    second = serve("--kafka", kafka_bootstrap, "--state", state)
    assert f"resumed generator {generator_id}" in second.stderr()
    status = second.status(generator_id)
    assert status["active"] is True and status["seed"] == 123
    assert status["sent"] >= produced  # the counts go on from before the restart
    assert 0 < second.status(finite["id"])["count"] <= 30 - produced_finite
    eventually(
        # sent counts on from before the restart: 3 more events sent anew
        lambda: second.status(generator_id)["sent"] >= produced + 3,
        "the resumed generator sends nothing",
    )
    second.remove(generator_id)
    (done,) = second.wait_done([finite["id"]])
    assert done["count"] == 0 and done["sent"] == done["acknowledged"] == 30
    assert topic_values(kafka_bootstrap, finite_topic, 30) == second.preview(
        {"template": TEMPLATE}, 9, 30
    )
    values = topic_values(kafka_bootstrap, topic, produced + 3)
    assert produced + 3 <= len(values) <= 100
    expected = second.preview({"template": TEMPLATE}, 123, len(values))
    assert values == expected  # events 0..N-1: no gap, no duplicate
    # removed: a later restart resumes nothing
    assert orjson.loads(state.read_bytes())["generators"] == []


@pytest.fixture(scope="module")
def guarded(module_serve: Callable[..., Service]) -> Service:
    """A service started with --token (its client sends the token)."""
    return module_serve(token=TOKEN)


def test_token_is_needed_and_metrics_match_status(guarded: Service) -> None:
    service = guarded
    bare = service.client.get("/generators", headers={"Authorization": ""})
    assert bare.status_code == 401
    assert "token" in bare.json()["error"]
    wrong = service.client.post(
        "/generator/add",
        json=simple_body(count=1),
        headers={"Authorization": f"Bearer {TOKEN}x"},
    )
    assert wrong.status_code == 401
    assert TOKEN not in wrong.text
    assert service.client.get("/openapi.json", headers={"Authorization": ""}).is_success
    assert service.client.get("/no-such-path").status_code == 404
    assert service.client.get("/generators").status_code == 200

    (added,) = service.add_ok(simple_body(count=20, interval="5ms"))
    (status,) = service.wait_done([added["id"]])
    assert (status["sent"], status["acknowledged"], status["failed"]) == (20, 20, 0)
    families = metric_families(service)
    events = {
        sample.labels["outcome"]: sample.value
        for sample in families["datagen_events"].samples
        if sample.name == "datagen_events_total"
        and sample.labels["generator"] == added["id"]
    }
    assert events == {"sent": 20.0, "acknowledged": 20.0, "failed": 0.0}
    requests = http_requests(families)
    # a refused request is counted under the route it asked for
    assert requests[("/generators", "401")] == 1.0
    assert requests[("/generator/add", "401")] == 1.0
    assert requests[("unmatched", "404")] == 1.0
    assert requests[("/generator/add", "200")] == 1.0
    assert requests[("/generator/status", "200")] >= 1.0


def http_requests(families: dict[str, Any]) -> dict[tuple[str, str], float]:
    """(route, status) -> datagen_http_requests_total, summed over methods."""
    found: dict[tuple[str, str], float] = {}
    for sample in families["datagen_http_requests"].samples:
        if sample.name == "datagen_http_requests_total":
            key = (sample.labels["route"], sample.labels["status"])
            found[key] = found.get(key, 0.0) + sample.value
    return found


def metric_families(service: Service) -> dict[str, Any]:
    return {
        family.name: family
        for family in text_string_to_metric_families(service.metrics())
    }


def test_a_killed_generator_process_ends_that_generator_only(
    guarded: Service,
) -> None:
    service = guarded
    (victim,) = service.add_ok(simple_body("{ n: 'victim' }", count=0, interval="10ms"))
    eventually(
        lambda: service.status(victim["id"])["sent"], "the generator sends nothing"
    )
    servers = [
        child
        for child in psutil.Process(service.process.pid).children()
        if "forkserver" in " ".join(child.cmdline())
    ]
    assert len(servers) == 1, "no fork server: where do generators run?"
    for process in servers[0].children(recursive=True):
        process.kill()
    eventually(
        lambda: not service.status(victim["id"])["active"],
        "a killed generator still says active",
    )
    status = service.status(victim["id"])
    assert status["last_error"] and "\n" not in status["last_error"]
    assert "SIGKILL" in status["last_error"]
    (other,) = service.add_ok(simple_body("{ n: 'other' }", count=5, interval="5ms"))
    (done,) = service.wait_done([other["id"]])
    assert (done["sent"], done["acknowledged"]) == (5, 5)
    assert service.client.get("/health").json()["status"] == "ok"


def test_public_address_without_token_is_refused() -> None:
    port = free_port()
    result = run_generate("serve", "--host", "0.0.0.0", "--port", port, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "0.0.0.0" in lines[0] and "--token" in lines[0]
    assert "Traceback" not in result.stderr


def test_broken_state_file_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(b'{"version": 1, "generators": [{"bad": 1}]}')
    result = run_generate("serve", "--port", free_port(), "--state", state)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if str(state) in line]
    assert len(errors) == 1 and "not a datagen serve state" in errors[0]


def test_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_generate("serve", "--port", port)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(port) in lines[0] and "Traceback" not in result.stderr


def test_sigterm_ends_live_tails_cleanly(serve: Callable[..., Service]) -> None:
    service = serve()
    (added,) = service.add_ok(simple_body(count=0, interval="10ms"))
    lines: list[str] = []
    failure: list[Exception] = []

    def follow() -> None:
        try:
            with httpx.Client(base_url=service.url, timeout=30) as client:
                with client.stream(
                    "GET", "/generator/stream", params={"id": added["id"]}
                ) as response:
                    lines.extend(response.iter_lines())
        except httpx.HTTPError as exc:
            failure.append(exc)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    eventually(
        lambda: any(line.startswith("data:") for line in lines),
        "the tail shows nothing",
    )
    assert service.terminate() == 0
    reader.join(10)
    assert "event: end" in lines and not failure, failure
    assert "ERROR" not in service.stderr()


def test_config_file_settings_and_options_winning(
    serve: Callable[..., Service], tmp_path: Path, kafka_bootstrap: str
) -> None:
    config = tmp_path / "serve.yaml"
    config.write_text(
        f"kafka: {kafka_bootstrap}\n"
        "limits:\n  max_generators: 2\n  max_body: 4096\n  max_rate: 50\n"
    )
    service = serve("--config", config, "--max-generators", 1)
    settings = service.client.get("/config").json()
    assert settings["limits"]["max_generators"] == 1  # the option wins
    assert settings["limits"]["max_body"] == 4096
    assert settings["limits"]["max_rate"] == 50
    assert "kafka" in [item["type"] for item in settings["destinations"]]
    big = simple_body("{ a: '" + "x" * 5000 + "' }")
    assert service.add(big).status_code == 413
    fast = simple_body(count=0, interval="10ms")  # 100 events a second
    assert service.add(fast).status_code == 429


@pytest.mark.parametrize(
    "text, named",
    [
        ("limits:\n  max_bodyy: 3\n", "limits.max_bodyy"),
        ("database: postgresql://u:pw12345678@127.0.0.1:1/x\nport: abc\n", "port"),
    ],
)
def test_config_file_errors_are_one_line(tmp_path: Path, text: str, named: str) -> None:
    config = tmp_path / "serve.yaml"
    config.write_text(text)
    result = run_generate("serve", "--config", config, "--port", free_port())
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(config) in lines[0] and named in lines[0]
    assert "pw12345678" not in result.stderr
