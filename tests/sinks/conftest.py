"""Fixtures for the sink tests: the shared servers, started when they are down
(the machine's brokers: checked to be up), and relays in front of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.services import ensure_service
from tests.sinks.relay_for_brokers import Relay
from tests.sinks.schema_registry import RegistryHTTPServer


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """'127.0.0.1:9092': the shared Tansu broker (memory storage)."""
    return ensure_service("kafka")


@pytest.fixture(scope="session")
def moto_endpoint() -> str:
    """'http://127.0.0.1:5000': the shared moto server (Kinesis)."""
    return "http://" + ensure_service("kinesis")


@pytest.fixture(scope="session")
def azurite_blob_endpoint() -> str:
    """'http://127.0.0.1:10000': the shared Azurite blob service."""
    return "http://" + ensure_service("azurite")


@pytest.fixture(scope="session")
def postgresql_address() -> str:
    """'127.0.0.1:5432': the machine's PostgreSQL (trust auth, database test)."""
    return ensure_service("postgresql")


@pytest.fixture(scope="session")
def mariadb_address() -> str:
    """'127.0.0.1:3306': the machine's MariaDB (root, no password, database test)."""
    return ensure_service("mariadb")


@pytest.fixture(scope="session")
def redis_address() -> str:
    """'127.0.0.1:6379': the machine's Redis (the tests keep to database 9)."""
    return ensure_service("redis")


@pytest.fixture(scope="session")
def rabbitmq_address() -> str:
    """'127.0.0.1:5672': the machine's RabbitMQ (guest/guest, vhost /)."""
    return ensure_service("rabbitmq")


@pytest.fixture(scope="session")
def mosquitto_address() -> str:
    """'127.0.0.1:1883': the machine's Mosquitto (anonymous, MQTT 5)."""
    return ensure_service("mosquitto")


@pytest.fixture(scope="session")
def nats_address() -> str:
    """'127.0.0.1:4222': the machine's nats-server, JetStream on."""
    return ensure_service("nats")


@pytest.fixture
def relay_to() -> Iterator[Callable[[str], Relay]]:
    """relay_to('127.0.0.1:PORT'): a relay in front of that server for a
    fault test to pause and cut; closed after the test."""
    relays: list[Relay] = []

    def make(address: str) -> Relay:
        relays.append(Relay(int(address.rsplit(":", 1)[1])))
        return relays[-1]

    yield make
    for relay in relays:
        relay.close()


@pytest.fixture(scope="session")
def schema_registry() -> Iterator[RegistryHTTPServer]:
    """A schema registry of the tests' own on a free port; `.url` reaches it."""
    server = RegistryHTTPServer().start_in_thread()
    yield server
    server.shutdown()
    server.server_close()
