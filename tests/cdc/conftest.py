"""The shared servers the CDC tests write to (the sink tests' fixtures)."""

from tests.sinks.conftest import kafka_bootstrap, mariadb_address, postgresql_address

__all__ = ["kafka_bootstrap", "mariadb_address", "postgresql_address"]
