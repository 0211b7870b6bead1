"""Fixtures of the compat tests: the shared servers, as the sink tests have them."""

from tests.sinks.conftest import kafka_bootstrap, moto_endpoint  # noqa: F401
