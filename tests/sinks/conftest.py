"""Fixtures for the sink tests: the shared servers, started when they are down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services import ensure_service
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
def schema_registry() -> Iterator[RegistryHTTPServer]:
    """A schema registry of the tests' own on a free port; `.url` reaches it."""
    server = RegistryHTTPServer().start_in_thread()
    yield server
    server.shutdown()
    server.server_close()
