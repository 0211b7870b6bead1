"""Fuzzed templates and native arguments: a one-line error or valid output,
never a traceback; and the CLI's bytes do not depend on --workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datagen.declarative.jsonnet import check_template, jsonnet_document
from datagen.declarative.jsonnet.natives import NATIVE_PARAMS, NativeError, Natives
from datagen.declarative.problems import DeclarationError, Problems

REPO = Path(__file__).resolve().parents[2]

NATIVE_CALLS = [
    "std.native('get_integer')(1, 10)",
    "std.native('get_number')(0, 1)",
    "std.native('get_one_of')('a, b')",
    "std.native('get_timestamp')('2021-12-01', '2021-12-02', '1h')",
    "std.native('get_rand_data')()['email']",
    "std.native('get_rand_user_agent')()",
    "std.native('get_dataset')('d')",
]
TOKENS = [
    *NATIVE_CALLS,
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ":",
    ",",
    ";",
    "local x = 1;",
    "x",
    "a:",
    "b:",
    "'text'",
    '"s',
    "1",
    "0",
    "-3.5",
    "+",
    "/",
    "%",
    "==",
    "if",
    "then",
    "else",
    "self",
    "$",
    "error 'e'",
    "import 'x.libsonnet'",
    "std.length",
    "null",
    "true",
    "function(a)",
    "for",
    "in",
    "std.native('nope')",
    "'",
    "\n",
    "//",
    "/*",
    "#",
    "std.native('get_integer')(9, 1)",
    "std.native('get_timestamp')('a', 'b', '0')",
]
templates = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join),
    st.dictionaries(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.sampled_from(NATIVE_CALLS + ["1", "'x'", "[1, 2]", "{ n: 1 }"]),
        max_size=5,
    ).map(
        lambda fields: "{ " + ", ".join(f"{k}: {v}" for k, v in fields.items()) + " }"
    ),
    st.text(max_size=40),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=templates)
def test_fuzzed_templates_give_one_line_or_documents(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.jsonnet"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    check_template(path, problems)
    lines = problems.lines()
    if lines:
        assert len(lines) == 1, lines
        assert "\n" not in lines[0] and lines[0].startswith(str(path)), lines[0]
        assert "Traceback" not in lines[0]
        return
    cls = jsonnet_document(path, Problems())
    assert cls is not None
    provider = cls(seed=1)
    try:
        documents = provider.generate_many(3)
    except DeclarationError as exc:  # a draw the single check did not make
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
    else:
        assert len(documents) == 3 and all(isinstance(d, dict) for d in documents)
    finally:
        provider.close()


ARGUMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6).map(float),
    st.text(max_size=12),
    st.sampled_from(["2021-12-01", "2021-12-31", "1h", "0s", "1.5ms", "a, b", "7"]),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(NATIVE_PARAMS)), data=st.data())
def test_fuzzed_native_arguments_give_a_value_or_one_line(name: str, data: Any) -> None:
    natives = Natives()
    natives.seed_state(1)
    arguments = [data.draw(ARGUMENTS) for _ in NATIVE_PARAMS[name]]
    try:
        value = getattr(natives, name)(*arguments)
    except NativeError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert value is not None


def run_cli(*argv: str) -> bytes:
    done = subprocess.run(
        [sys.executable, str(REPO / "generate.py"), *argv],
        cwd=REPO,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_cli_bytes_do_not_depend_on_workers(tmp_path: Path) -> None:
    outputs = []
    for workers in ("1", "2"):
        target = tmp_path / f"w{workers}.jsonl"
        run_cli(
            "document", "-p", "event", "--providers-dir", "examples/eventer",
            "-q", "1000", "--seed", "1", "--workers", workers, "-o", str(target),
        )  # fmt: skip
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 1000
