"""--cluster's mistakes are one line each, naming what to change, with no
traceback; a scheduler that does not answer is given up on in seconds."""

from __future__ import annotations

import time

from tests.cluster.runs import generate_together
from tests.processes import run_generate
from tests.services import free_port

ACCOUNTS = ("document", "-p", "starfleet_account", "-q", 10, "--seed", 1)
S3 = "s3://datagen-parts/run1/?endpoint=http://127.0.0.1:5000&region=us-east-1"
#: Connecting gives up after 5 s (connect.CONNECT_SECONDS); the rest is the
#: interpreter's start-up and Dask's import, slower on a busy machine.
GIVES_UP_WITHIN = 9.0


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    return lines[0]


def test_mistakes_are_one_line_each() -> None:
    cases = {
        "--cluster 'nonsense'": (*ACCOUNTS, "--cluster", "nonsense"),
        "local cluster takes 1 to 256": (*ACCOUNTS, "--cluster", "local:0"),
        "--shard-size sizes a cluster's tasks: add --cluster": (
            *ACCOUNTS, "--shard-size", 100,
        ),
        "-o s3://datagen-parts/run1/: object storage takes a cluster": (
            *ACCOUNTS, "-o", S3,
        ),
        "object storage takes a cluster": (
            "simulate", "web", "--count", 10, "-o", S3,
        ),
        "--live": (
            "simulate", "web", "--live", "--count", 1, "--cluster", "local:1",
        ),
        "'tcp://user:***@127.0.0.1:1': give a scheduler's address": (
            *ACCOUNTS, "--cluster", "tcp://user:hunter2@127.0.0.1:1",
        ),
        "'tcp://127.0.0.1:1?token=***'": (
            *ACCOUNTS, "--cluster", "tcp://127.0.0.1:1?token=hunter2",
        ),
        "'tcp://127.0.0.1:notaport'": (
            *ACCOUNTS, "--cluster", "tcp://127.0.0.1:notaport",
        ),
        "'tls://127.0.0.1:1'": (*ACCOUNTS, "--cluster", "tls://127.0.0.1:1"),
        "write parts (-o DIR/ --format jsonl) to resume one": (
            *ACCOUNTS, "-o", "one.jsonl", "--checkpoint", "ck",
            "--cluster", "local:1",
        ),
        "journey --cluster": (
            "journey", "-p", "starfleet", "-q", 1,
            "--sink", "kafka://127.0.0.1:9092/t", "--cluster", "local:1",
        ),
    }  # fmt: skip
    results = generate_together(*cases.values(), timeout=60, ok=False)
    for expected, result in zip(cases, results):
        assert result.returncode == 2, (expected, result.stderr)
        line = one_line_error(result.stderr)
        assert expected in line, line
        assert "endpoint" not in line  # the URL's options stay out
        assert "hunter2" not in result.stderr
        assert "Dask dashboard" not in result.stderr  # refused before connecting


def test_a_scheduler_that_does_not_answer_is_one_line_within_seconds() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = run_generate(*ACCOUNTS, "--cluster", address, timeout=60)
    seconds = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    line = one_line_error(result.stderr)
    assert f"--cluster {address}: no Dask scheduler answered within 5 s" in line
    assert seconds < GIVES_UP_WITHIN, f"gave up after {seconds:.1f} s"


def test_a_port_that_is_no_scheduler_is_one_line_within_seconds() -> None:
    """Something answers (Redis), but not Dask: Client's own timeout does
    not bound its handshake; the run still gives up in seconds."""
    started = time.monotonic()
    result = run_generate(*ACCOUNTS, "--cluster", "tcp://127.0.0.1:6379", timeout=60)
    seconds = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    line = one_line_error(result.stderr)
    assert "no Dask scheduler answered within 5 s" in line
    assert seconds < GIVES_UP_WITHIN + 2, f"gave up after {seconds:.1f} s"
