"""Random declaration files through `validate` and `document`: a one-line
error (or problems, one a line) or valid output, never a traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from datagen.cli import cli
from datagen.declarative import loader
from datagen.documents import DOCUMENT_PROVIDERS

KINDS = [
    "uuid",
    "integer",
    "float",
    "choice",
    "boolean",
    "date",
    "sequence",
    "template",
    "ref",
    "expr",
    "list",
    "constant",
    "person.email",
    "nope",
    "text.word",
    "address.nope",
]
KEYS = [
    "min",
    "max",
    "values",
    "weights",
    "value",
    "field",
    "items",
    "of",
    "n",
    "step",
    "format",
    "decimals",
    "probability",
    "null_rate",
    "start",
    "mask",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100),
    st.floats(-10, 10),
    st.text(max_size=8),
    st.sampled_from(["{a}", "a", "2024-01-01", "1d", "a + 1"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=4), inner, max_size=3),
    ),
    max_leaves=6,
)
generators = st.builds(
    lambda gen, extra: {"gen": gen, **extra},
    st.sampled_from(KINDS),
    st.dictionaries(st.sampled_from(KEYS), values, max_size=3),
)
fields = st.dictionaries(
    st.sampled_from(["a", "b", "c", "id"]), st.one_of(generators, values), max_size=4
)
declarations = st.fixed_dictionaries(
    {"provider": st.just("fuzzed"), "fields": fields},
    optional={"kind": st.sampled_from(["document", "jorney"]), "extra": values},
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(declaration=declarations, as_json=st.booleans())
def test_random_files_give_problems_or_documents(tmp_path, declaration, as_json):
    file = Path(tmp_path) / ("fuzzed.json" if as_json else "fuzzed.yaml")
    # ensure_ascii=False: \uXXXX surrogate pairs are test_surrogate_escapes'
    file.write_text(json.dumps(declaration, ensure_ascii=False))
    runner = CliRunner()
    with DOCUMENT_PROVIDERS.isolated():  # validate registers a good file
        checked = runner.invoke(cli, ["validate", str(file)])
    assert checked.exit_code in (0, 1), checked.output
    assert isinstance(checked.exception, (SystemExit, type(None))), checked.exception
    with DOCUMENT_PROVIDERS.isolated():
        declared = loader.declare(file)
        event("valid" if declared.item is not None else "problems")
        if declared.item is None:
            assert checked.exit_code == 1
            return
        assert checked.exit_code == 0, checked.output
        loader.register(declared, DOCUMENT_PROVIDERS)
        made = runner.invoke(
            cli, ["document", "-p", "fuzzed", "-q", "3", "-o", "-", "--seed", "1"]
        )
    assert made.exit_code in (0, 1, 2), made.output
    if made.exit_code == 0:
        # JSON lines end in \n only: a value may hold U+0085 or U+2028,
        # which str.splitlines() would also split at
        lines = made.stdout.removesuffix("\n").split("\n")
        assert len(lines) == 3 and all(json.loads(line) for line in lines)
    else:
        assert isinstance(made.exception, SystemExit), made.exception
        assert len(made.stderr.strip().splitlines()) == 1, made.stderr


def test_surrogate_escapes_are_one_character(tmp_path):
    file = tmp_path / "s.json"
    file.write_text('{"provider": "s", "fields": {"a": "\\ud83d\\ude00"}}')
    declared = loader.declare(file)
    assert declared.item is not None
    assert declared.item(seed=1).generate() == {"a": "\U0001f600"}


def test_an_unpaired_surrogate_is_a_problem_at_its_field(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text('provider: s\nfields:\n  a: "\\ud83d"\n')
    declared = loader.declare(file)
    assert declared.item is None
    assert "s.yaml:3: fields.a: holds an unpaired surrogate" in "\n".join(
        declared.problems.lines()
    )


def test_aliases_that_expand_past_the_limit_are_one_problem_not_a_hang(tmp_path):
    """A "billion laughs": nine aliases of nine aliases, nine levels deep."""
    rows = ["provider: lol", "fields:", "  l0: &l0 {v: 1, w: 2, x: 3}"]
    for level in range(1, 10):
        refs = ", ".join(f"k{i}: *l{level - 1}" for i in range(9))
        rows.append(f"  l{level}: &l{level} {{{refs}}}")
    file = tmp_path / "lol.yaml"
    file.write_text("\n".join(rows) + "\n")
    started = time.monotonic()
    declared = loader.declare(file)
    assert time.monotonic() - started < 5
    assert declared.item is None
    assert "holds more than 100,000 values" in "\n".join(declared.problems.lines())


def test_a_few_aliases_are_read_as_yaml_means_them(tmp_path):
    file = tmp_path / "shared.yaml"
    file.write_text(
        "provider: shared\nfields:\n"
        "  home: &place {city: {gen: address.city}, zip: '00000'}\n"
        "  work: *place\n"
    )
    declared = loader.declare(file)
    assert declared.item is not None
    document = declared.item(seed=1).generate()
    assert set(document["home"]) == set(document["work"]) == {"city", "zip"}
