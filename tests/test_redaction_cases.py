"""Issue 9, case 19: every secret of a run stays out of what the CLI prints.

One test per example of the case, through the real CLI (in-process): the
secret goes in through a sink URL, an option or the environment, the run
fails against a closed port on 127.0.0.1 (or a sink of this module that
leaks it on purpose), and neither stdout nor stderr may hold it.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from datagen.cli import cli
from datagen.redaction import known_secrets, redact, secrets_in
from tests.services import free_port

SECRET = "S3CRETpw-c19"


def run(*argv: str, env: dict[str, str] | None = None) -> Result:
    """The CLI run in-process, its exceptions kept for the assertions."""
    return CliRunner().invoke(cli, list(argv), env=env, catch_exceptions=True)


def assert_hidden(result: Result, *secrets: str, code: int = 1) -> None:
    """The run failed with the exit code and one `Error:` line, no traceback,
    and no secret (nor a piece of one that a URL parser cut) was printed."""
    shown = result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, shown
    assert "Traceback" not in shown
    assert result.stderr.splitlines()[-1].startswith("Error: "), result.stderr
    for secret in secrets:
        assert secret not in shown, shown
    assert "***" in result.stderr, result.stderr


def document(*sink: str) -> list[str]:
    """A small quiet document run into the given --sink/--route options."""
    return ["document", "-p", "order", "-q", "2", "--quiet", *sink]


@pytest.fixture
def closed() -> str:
    """127.0.0.1:PORT where nothing listens."""
    return f"127.0.0.1:{free_port()}"


def test_password_as_a_postgresql_query_option(closed: str) -> None:
    spec = (
        f"postgresql+psycopg://u@{closed}/test?table=t&password={SECRET}"
        "&retry_seconds=0&connect_timeout=1"
    )
    result = run(*document("--sink", spec))
    assert_hidden(result, SECRET)
    assert "password=***" in result.stderr


def test_password_as_a_mysql_query_option(closed: str) -> None:
    spec = f"mysql+pymysql://u@{closed}/test?table=t&password={SECRET}&retry_seconds=0"
    assert_hidden(run(*document("--sink", spec)), SECRET)


def test_password_in_libpq_options(closed: str) -> None:
    spec = (
        f"postgresql+psycopg://u@{closed}/test?table=t"
        f"&options=-c%20password%3D{SECRET}&retry_seconds=0&connect_timeout=1"
    )
    assert_hidden(run(*document("--sink", spec)), SECRET)


def test_http_auth_query_option(closed: str) -> None:
    spec = f"http://{closed}/x?auth={SECRET}&retry_seconds=0"
    result = run(*document("--sink", spec))
    assert_hidden(result, SECRET)
    assert "auth=***" in result.stderr


def test_kafka_password_holding_a_slash(closed: str) -> None:
    result = run(*document("--sink", f"kafka://alice:S3CR/ETpw19@{closed}/t"))
    assert_hidden(result, "S3CR", "ETpw19", code=2)
    assert "alice:***@" in result.stderr


def test_http_password_holding_a_slash(closed: str) -> None:
    result = run(*document("--sink", f"http://u:S3CR/ETpw19@{closed}/x"))
    assert_hidden(result, "S3CR", "ETpw19", code=2)


def test_postgresql_password_holding_an_at_sign(closed: str) -> None:
    spec = (
        f"postgresql+psycopg://u:S3CR@ETpw19@{closed}/test?table=t"
        "&retry_seconds=0&connect_timeout=1"
    )
    assert_hidden(run(*document("--sink", spec)), "S3CR", "ETpw19")


def test_password_in_a_kinesis_endpoint(closed: str) -> None:
    spec = (
        f"kinesis://stream?endpoint=http://u:{SECRET}@{closed}"
        "&region=us-east-1&retry_seconds=0"
    )
    assert_hidden(run(*document("--sink", spec)), SECRET)


def test_password_in_an_upload_container_url(closed: str, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    result = run(
        "upload",
        str(tmp_path),
        "--quiet",
        "--container-url",
        f"http://u:{SECRET}@{closed}/c",
        "--sas-token",
        "sv=2024-11-04&sig=SASsig-c19",
    )
    assert_hidden(result, SECRET, "SASsig-c19")


def test_a_route_with_a_password_holding_a_slash(closed: str) -> None:
    route = f"type=x=kafka://alice:S3CR/ETpw19@{closed}/t"
    assert_hidden(run(*document("--route", route)), "S3CR", "ETpw19", code=2)


def test_a_bad_route_is_shown_scrubbed() -> None:
    result = run(*document("--route", f"kafka://alice:{SECRET}@127.0.0.1:1/t"))
    assert_hidden(result, SECRET, code=2)


class Leaky:
    """A user's sink that prints its token and the environment's secrets the
    ways a library would (warnings, logging, print to stderr, an error)."""

    def __init__(self, token: str = "") -> None:
        self.token = token

    def send(self, event: dict[str, Any]) -> None:
        leaked = " ".join(
            [self.token, os.environ.get("DATAGEN_HTTP_TOKEN", "")]
            + [os.environ.get("DATAGEN_KAFKA_SASL_PASSWORD", "")]
        )
        warnings.warn(f"warned with {leaked}", stacklevel=1)
        logging.getLogger("leaky").error("logged %s", leaked)
        print(f"printed {leaked}", file=sys.stderr)
        raise ConnectionError(f"refused with {leaked}")


def test_secrets_from_options_and_environment_leave_no_trace() -> None:
    env = {
        "DATAGEN_HTTP_TOKEN": "EnvToken-c19",
        "DATAGEN_KAFKA_SASL_PASSWORD": "EnvSasl-c19",
    }
    spec = f"python:{__name__}:Leaky?token={SECRET}"
    result = run(*document("--sink", spec), env=env)
    shown = result.stdout + result.stderr
    assert result.exit_code == 1, shown
    assert "Traceback" not in shown
    for secret in (SECRET, "EnvToken-c19", "EnvSasl-c19"):
        assert secret not in shown, shown
    assert "printed *** *** ***" in result.stderr and "refused with" in shown


def test_the_run_forgets_its_secrets() -> None:
    """A later run in the same process (a test, a notebook) is not scrubbed of
    an earlier run's values."""
    run(*document("--sink", f"http://127.0.0.1:1/x?token={SECRET}&retry_seconds=0"))
    assert SECRET not in known_secrets()


@pytest.mark.parametrize(
    "url, shown",
    [
        ("kafka://alice:S3CR/ETpw@h:1/t", "kafka://alice:***@h:1/t"),
        ("http://u:S3CR/ETpw@h:1/x", "http://u:***@h:1/x"),
        ("postgresql://u:S3CR@ETpw@h/db?table=t", "postgresql://u:***@h/db?table=t"),
        (
            "postgresql+psycopg:///test?table=t&password=pw",
            "postgresql+psycopg:///test?table=t&password=***",
        ),
        ("http://h:1/x?auth=pw&batch=5", "http://h:1/x?auth=***&batch=5"),
        (
            "postgresql://u@h/db?options=-c%20password%3Dpw",
            "postgresql://u@h/db?options=-c password=***",
        ),
        (
            "kinesis://s?endpoint=http://u:pw@h:1&region=r",
            "kinesis://s?endpoint=http://u:***@h:1&region=r",
        ),
        ("python:m:C?token=pw", "python:m:C?token=***"),
    ],
)
def test_redact_each_form(url: str, shown: str) -> None:
    assert redact(url) == shown
    assert secrets_in(url), url


@pytest.mark.parametrize(
    "url",
    [
        "amqp://h/orders?routing_key=orders.new&key=order.id",
        "nats://h/a.b?key=id",
        "kafka://h:1/t?key=user_id",
    ],
)
def test_sink_options_named_key_are_no_secrets(url: str) -> None:
    """An event field (`key`) or a RabbitMQ routing key is shown as it is,
    and is not taken for a secret to scrub from every message."""
    assert redact(url) == url
    assert secrets_in(url) == []


def test_a_secret_key_next_to_a_routing_key_is_still_hidden() -> None:
    url = "amqp://u:pw@h/x?routing_key=orders.new&api_key=K3y-c19"
    assert redact(url) == "amqp://u:***@h/x?routing_key=orders.new&api_key=***"
    assert sorted(secrets_in(url)) == ["K3y-c19", "pw"]


def test_open_sink_outside_the_cli_hides_the_pieces_of_a_password() -> None:
    """A library user gets no CLI edge: the spec's own error is scrubbed, the
    pieces urlsplit cut the password into included ('S3CR' read as a port)."""
    from datagen.errors import ConfigError
    from datagen.sinks.spec import open_sink

    with pytest.raises(ConfigError) as caught:
        open_sink("http://u:S3CR/ETpw19@127.0.0.1:1/x")
    assert "S3CR" not in str(caught.value) and "ETpw19" not in str(caught.value)
    assert "u:***@" in str(caught.value)
