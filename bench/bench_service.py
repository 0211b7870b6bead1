"""The generator service under load (issue 12): does generators' work stall
the API?

Starts `datagen serve` on a free port, measures the latency of GET /health
alone (the baseline), then adds --generators generators sending --rate
events a second each and measures /health again while they run: p50, p99
and max over --requests requests, one every 10 ms, with the events actually
sent per second over the window. Target: p99 under 50 ms with 20 generators
at 1,000 events/s each.

The source is a click event declared in YAML (CLICK: a uuid, a timestamp,
a page, a user id; ~20 µs an event), light enough for 20,000 events/s on
two cores, or `--provider NAME` (`starfleet_account` costs ~40-90 µs an
event: 20 x 1,000/s is then more than two cores make, and the figure shows
how far the generators fall behind while the API still answers). The
destination is `none`, or a Kafka topic with --kafka.

Run from the repository: .venv/bin/python bench/bench_service.py
[--generators 20] [--rate 1000] [--requests 1000] [--provider NAME]
[--kafka 127.0.0.1:9092]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
CLICK = """\
provider: click
fields:
  id: {gen: uuid}
  at: {gen: timestamp, min: "2025-01-01T00:00:00Z", max: "2025-01-02T00:00:00Z"}
  page: {gen: choice, values: [home, search, product, cart, checkout]}
  user_id: {gen: integer, min: 1, max: 10000}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(port: int, kafka: str | None) -> subprocess.Popen[bytes]:
    argv = [sys.executable, str(REPO / "generate.py"), "serve", "--port", str(port)]
    argv += ["--max-rate", "1000000"]
    if kafka:
        argv += ["--kafka", kafka]
    server = subprocess.Popen(argv, cwd=REPO, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the service did not start")


def latencies(client: httpx.Client, url: str, count: int) -> list[float]:
    """Seconds each of count GET url took, one request every 10 ms."""
    found = []
    for _ in range(count):
        began = time.perf_counter()
        client.get(url).raise_for_status()
        found.append(time.perf_counter() - began)
        time.sleep(max(0.0, 0.01 - found[-1]))
    return found


def summary(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return (
        f"{name}: p50 {statistics.median(ordered) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms "
        f"({len(ordered)} requests)"
    )


def sent(client: httpx.Client, base: str) -> int:
    return sum(
        item["sent"] for item in client.get(f"{base}/generators").json()["generators"]
    )


def resident(pid: int) -> tuple[int, int, int]:
    """Resident bytes of the service's process, and the median resident and
    unique (USS) bytes of its generators' processes."""
    import psutil

    service = psutil.Process(pid)
    generators = [
        child
        for child in service.children(recursive=True)
        if child.nice() > 0  # generators run niced; the fork server does not
    ]
    rss = sorted(child.memory_info().rss for child in generators) or [0]
    uss = sorted(child.memory_full_info().uss for child in generators) or [0]
    return (
        service.memory_info().rss,
        rss[len(rss) // 2],
        uss[len(uss) // 2],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", type=int, default=20)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--kafka", default=None)
    parser.add_argument("--provider", default=None)
    options = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(port, options.kafka)
    destination = (
        {"type": "kafka", "kafka": {"topic": f"bench-service-{os.getpid()}"}}
        if options.kafka
        else {"type": "none"}
    )
    try:
        with httpx.Client(timeout=30) as client:
            latencies(client, f"{base}/health", 100)  # warm up
            idle = latencies(client, f"{base}/health", options.requests)
            interval = f"{1_000_000 // options.rate}us"
            source = (
                {"provider": options.provider}
                if options.provider
                else {"declaration": CLICK}
            )
            body = {
                "destinations": [{"id": "d", **destination}],
                "events": [
                    {
                        "id": f"e{n}",
                        **source,
                        "count": 0,
                        "interval": interval,
                        "seed": n,
                    }
                    for n in range(options.generators)
                ],
                "schedules": [
                    {"destination_id": "d", "event_id": f"e{n}"}
                    for n in range(options.generators)
                ],
            }
            client.post(f"{base}/generator/add", json=body).raise_for_status()
            time.sleep(2)  # every generator past its start
            before, began = sent(client, base), time.perf_counter()
            busy = latencies(client, f"{base}/health", options.requests)
            rate = (sent(client, base) - before) / (time.perf_counter() - began)
            memory = resident(server.pid)
        print(
            f"machine: {os.cpu_count()} CPUs; source: "
            f"{options.provider or 'the CLICK declaration'}; "
            f"sink: {options.kafka or 'none'}"
        )
        print(summary("/health, no generator", idle))
        print(
            summary(
                f"/health, {options.generators} generators x {options.rate}/s", busy
            )
        )
        print(
            f"events sent meanwhile: {rate:,.0f}/s "
            f"(asked {options.generators * options.rate:,}/s)"
        )
        print(
            f"memory: the API's process {memory[0] / 2**20:,.0f} MiB, each "
            f"generator's {memory[1] / 2**20:,.0f} MiB resident "
            f"({memory[2] / 2**20:,.0f} MiB unique)"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
        lines = errors.decode().strip().splitlines()
        print(
            f"shutdown: exit {server.returncode}, {len(lines)} lines; last: {lines[-1]}"
        )


if __name__ == "__main__":
    main()
