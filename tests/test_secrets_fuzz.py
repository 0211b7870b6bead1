"""Issue 9, case 19 by fuzzing: random secrets through every sink URL form,
the environment the sinks read and `upload`'s options, each run failing on
its error path (a closed port on 127.0.0.1, a bad option, a refusing sink);
no secret may appear in stdout or stderr.

A secret is one to three pieces of 4 to 8 characters joined by an unescaped
'/' or '@' (a URL parser cuts there and may quote a piece as a host, port or
topic): each piece must stay hidden too. Pieces shorter than 4 characters
cannot be told from ordinary text (datagen.redaction.MIN_SECRET_LENGTH).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import chdir
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datagen.cli import cli
from datagen.redaction import redact, scrub, secrets_in
from tests.services import free_port

#: Characters a password may hold unescaped without ending the URL part it is
#: in ('?', '#', '&', '=', '%' and white space would); '*' is the mask.
_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.~!$"

PIECES = st.text(alphabet=_CHARS, min_size=3, max_size=7).map(lambda t: "Q" + t)
SECRETS = st.builds(
    lambda pieces, joins: "".join(
        piece + (joins[i] if i < len(pieces) - 1 else "")
        for i, piece in enumerate(pieces)
    ),
    st.lists(PIECES, min_size=1, max_size=3),
    st.lists(st.sampled_from("/@"), min_size=2, max_size=2),
)

#: Sink URL forms: {s} the secret as it is, {p} a closed port.
URL_FORMS = [
    "postgresql+psycopg://u:{s}@127.0.0.1:{p}/test?table=t&retry_seconds=0"
    "&connect_timeout=1",
    "postgresql+psycopg://u@127.0.0.1:{p}/test?table=t&password={s}"
    "&retry_seconds=0&connect_timeout=1",
    "postgresql+psycopg://u@127.0.0.1:{p}/test?table=t&options=-c%20password%3D{s}"
    "&retry_seconds=0&connect_timeout=1",
    "mysql+pymysql://u:{s}@127.0.0.1:{p}/test?table=t&retry_seconds=0",
    "mysql+pymysql://u@127.0.0.1:{p}/test?table=t&password={s}&retry_seconds=0",
    "http://u:{s}@127.0.0.1:{p}/x?retry_seconds=0",
    "http://127.0.0.1:{p}/x?token={s}&retry_seconds=0",
    "http://127.0.0.1:{p}/x?auth={s}&retry_seconds=0",
    "https://u:{s}@127.0.0.1:{p}/x?retry_seconds=0",
    "kinesis://stream?endpoint=http://u:{s}@127.0.0.1:{p}&region=us-east-1"
    "&retry_seconds=0",
    "python:tests.test_secrets_fuzz:Refusing?token={s}",
    "file:{tmp}/out.jsonl?password={s}",
    "kafka://alice:{s}@127.0.0.1:{p}/t?connect_timeout=1&timeout=1",
    "kafka://127.0.0.1:{p}/t?sasl.password={s}&connect_timeout=1&timeout=1",
    "kafka://127.0.0.1:{p}/t?format=avro&registry=http://u:{s}@127.0.0.1:{p}"
    "&connect_timeout=1&timeout=1",
]
#: (environment variable, its value, a sink URL reading it) forms.
ENV_FORMS = [
    (
        "DATAGEN_SQL_PASSWORD",
        "{s}",
        "postgresql+psycopg://u@127.0.0.1:{p}/test?table=t&retry_seconds=0"
        "&connect_timeout=1",
    ),
    ("DATAGEN_HTTP_TOKEN", "{s}", "http://127.0.0.1:{p}/x?retry_seconds=0"),
    ("DATAGEN_HTTP_TOKEN", "{s}", "python:tests.test_secrets_fuzz:Refusing"),
    (
        "DATAGEN_KAFKA_SASL_PASSWORD",
        "{s}",
        "python:tests.test_secrets_fuzz:Refusing",
    ),
    (
        "DATAGEN_SCHEMA_REGISTRY_URL",
        "http://u:{s}@127.0.0.1:{p}",
        "python:tests.test_secrets_fuzz:Refusing",
    ),
]
#: The commands a sink is given to, kept small.
COMMANDS = [
    ["document", "-p", "order", "-q", "2", "--quiet"],
    ["journey", "-p", "starfleet", "-q", "1", "--quiet"],
    ["simulate", "web", "--count", "3", "--quiet", "--seed", "1"],
]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    # The same examples on every run: a failure here is reproducible, not luck.
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


class Refusing:
    """A user's sink whose error quotes its token and the environment's secrets,
    as a careless client library would."""

    def __init__(self, token: str = "") -> None:
        import os

        self.leaked = [token] + [
            os.environ.get(name, "")
            for name in (
                "DATAGEN_HTTP_TOKEN",
                "DATAGEN_KAFKA_SASL_PASSWORD",
                "DATAGEN_SCHEMA_REGISTRY_URL",
            )
        ]

    def send(self, event: dict[str, Any]) -> None:
        raise ConnectionError(f"refused: {' '.join(self.leaked)}")


def pieces(secret: str) -> list[str]:
    """The secret and the pieces a URL parser may quote on their own."""
    return [secret, *secret.replace("@", "/").split("/")]


def run(argv: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, argv, env=env, catch_exceptions=True)


def assert_no_secret(result: Result, secret: str, argv: list[str]) -> None:
    """No traceback, no secret nor piece of it in stdout or stderr."""
    shown = result.stdout + result.stderr
    where = f"{argv!r} -> exit {result.exit_code}: {shown!r}"
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), f"{where} {result.exception!r}"
    assert "Traceback" not in shown, where
    for piece in pieces(secret):
        assert piece not in shown, where


def fill(form: str, secret: str, tmp: Path) -> str:
    return form.format(s=secret, p=free_port(), tmp=tmp)


@pytest.fixture(scope="module", autouse=True)
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder for the runs' files, also their working directory."""
    folder = tmp_path_factory.mktemp("secrets")
    with chdir(folder):
        yield folder


@FUZZ
@given(
    secret=SECRETS,
    form=st.sampled_from(URL_FORMS[:-3]),
    command=st.sampled_from(COMMANDS),
    route=st.booleans(),
)
def test_sink_urls_keep_their_secrets(
    tmp: Path, secret: str, form: str, command: list[str], route: bool
) -> None:
    spec = fill(form, secret, tmp)
    argv = (
        [*command, "--route", f"type=x={spec}"] if route else [*command, "--sink", spec]
    )
    assert_no_secret(run(argv), secret, argv)


@settings(FUZZ, max_examples=6)
@given(secret=SECRETS, form=st.sampled_from(URL_FORMS[-3:]))
def test_kafka_urls_keep_their_secrets(tmp: Path, secret: str, form: str) -> None:
    """Kafka's own form, few examples: each waits a second for the broker."""
    argv = [*COMMANDS[0], "--sink", fill(form, secret, tmp)]
    assert_no_secret(run(argv), secret, argv)


@settings(FUZZ, max_examples=25)
@given(secret=SECRETS, form=st.sampled_from(ENV_FORMS))
def test_the_environment_keeps_its_secrets(
    tmp: Path, secret: str, form: tuple[str, str, str]
) -> None:
    name, value, spec = form
    argv = [*COMMANDS[0], "--sink", fill(spec, secret, tmp)]
    result = run(argv, env={name: fill(value, secret, tmp)})
    assert_no_secret(result, secret, argv)


UPLOAD_FORMS: list[Callable[[str, int], list[str]]] = [
    lambda s, p: ["--container-url", f"http://u:{s}@127.0.0.1:{p}/c"],
    lambda s, p: [
        "--container-url",
        f"http://127.0.0.1:{p}/c",
        "--sas-token",
        f"sv=1&sig={s}",
    ],
    lambda s, p: [
        "--connection-string",
        f"DefaultEndpointsProtocol=http;AccountName=a;AccountKey={s};"
        f"BlobEndpoint=http://127.0.0.1:{p}/a;",
        "--container",
        "c",
    ],
]


@settings(FUZZ, max_examples=4)
@given(secret=SECRETS, form=st.sampled_from(UPLOAD_FORMS))
def test_upload_options_keep_their_secrets(
    tmp: Path, secret: str, form: Callable[[str, int], list[str]]
) -> None:
    """Few examples: a refused upload is retried for seconds."""
    (tmp / "a.json").write_text("{}")
    argv = ["upload", str(tmp), "--quiet", *form(secret, free_port())]
    assert_no_secret(run(argv), secret, argv)


@settings(FUZZ, max_examples=300)
@given(secret=SECRETS, form=st.sampled_from(URL_FORMS), text=st.text(max_size=20))
def test_redact_and_scrub_hide_every_secret(secret: str, form: str, text: str) -> None:
    """Without a run: redact() of each form and scrub() of a message quoting
    it hide the secret, and secrets_in() finds it to remember."""
    url = form.format(s=secret, p=1, tmp="/tmp")
    for piece in pieces(secret):
        assert piece not in redact(url), url
        assert piece not in scrub(f"{text} failed: '{url}' {text}"), url
    assert any(secret in found for found in secrets_in(url)), url
