"""Jsonnet templates given as text (what `datagen serve` receives): the file's
documents from the same seed, every import refused, one-line problems with
line and column, and the canonical digest (same for keys reordered,
whitespace and comments; different for anything that changes the output)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from datagen.declarative.jsonnet import evaluator as evaluator_module
from datagen.declarative.jsonnet import jsonnet_document
from datagen.declarative.jsonnet.canonical import canonical_digest, tokens
from datagen.declarative.jsonnet.natives import Natives
from datagen.declarative.jsonnet.template import (
    JsonnetDocumentProvider,
    evaluate_once,
    read_template,
)
from datagen.declarative.jsonnet.text import (
    check_template_text,
    template_document,
    text_program,
)
from datagen.declarative.problems import DeclarationError, Problems
from datagen.errors import ProviderError

REPO = Path(__file__).resolve().parents[2]
EVENT = REPO / "examples" / "eventer" / "event.jsonnet"
EVENT_TEXT = EVENT.read_text(encoding="utf-8")

#: event.jsonnet with every object's keys in another order (nested ones
#: too, and the computed keys of event.data), its locals reordered, other
#: comments and other whitespace.
SHUFFLED = """
/* the same template, written otherwise */
local get_rand_user_agent = std.native('get_rand_user_agent');
local get_rand_data = std.native('get_rand_data');
local get_number = std.native('get_number');   local get_integer =
\t\tstd.native('get_integer');
local get_timestamp = std.native('get_timestamp');
local get_one_of = std.native('get_one_of');
local get_instance_id = std.native('get_instance_id');
local get_dataset = std.native('get_dataset');
{
  event: {
    data: {
      [if self.type == "open_page" then self.type else null]: { page_id: $["page_id"] },
      [if self.type == "button_click" then self.type else null]: {
        button_id: get_integer(1, 100)
      },
      [if self.type == "click" then self.type else null]: {
        y: get_number(1, 1000),  # y first
        x: get_number(1, 1000),
      },
    },
    type: get_one_of("click, open_page, button_click"),
  },
  user_agent: get_rand_user_agent(),
  page_id: get_integer(1, 15),
  session_id: get_integer(1, 300),
  name: get_rand_data()["first_name"],
  country: get_one_of("ru, us, jp, cn"),
  dataset: get_dataset("dummy_dataset"),
  group_id: get_instance_id("dummy_instance_id"),
  time: get_timestamp("2021-12-01", "2021-12-31", "1h"),
  id: get_integer(1, 1000),
}
"""


def from_text(
    text: str | bytes, dataset: str | None = None, instance_id: str | None = None
) -> JsonnetDocumentProvider:
    problems = Problems()
    cls = template_document("req", text, problems, dataset, instance_id)
    assert cls is not None and not problems, problems.lines()
    instance = cls(seed=7)
    assert isinstance(instance, JsonnetDocumentProvider)
    return instance


def documents(
    text: str | bytes,
    count: int = 50,
    dataset: str | None = None,
    instance_id: str | None = None,
) -> list[dict[str, object]]:
    provider = from_text(text, dataset, instance_id)
    try:
        return provider.generate_many(count)
    finally:
        provider.close()


def problems_of(text: str | bytes, name: str = "req") -> list[str]:
    problems = Problems()
    check_template_text(name, text, problems)
    return problems.lines()


# Templates from text.


def test_the_readme_template_as_text_makes_the_files_documents() -> None:
    problems = Problems()
    cls = jsonnet_document(EVENT, problems)
    assert cls is not None
    from_file = cls(seed=7)
    assert isinstance(from_file, JsonnetDocumentProvider)
    expected = from_file.generate_many(50)
    from_file.close()
    assert documents(EVENT_TEXT) == expected
    assert documents(EVENT_TEXT.encode()) == expected  # bytes are UTF-8 text


def test_the_provider_is_named_as_given() -> None:
    problems = Problems()
    cls = template_document("clicks v2", EVENT_TEXT, problems)
    assert cls is not None and cls.name == "clicks v2"
    assert cls.program.folder is None  # nothing to import from


def test_dataset_and_instance_id_from_the_arguments_appear() -> None:
    for document in documents(EVENT_TEXT, 5, dataset="shop", instance_id="eu-1"):
        assert document["dataset"] == "shop" and document["group_id"] == "eu-1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "req: (top): is empty"),
        (" \n\t", "req: (top): is empty"),
        ("{\n a: 1,\n}\x00", "req: (top): holds a NUL character (line 3)"),
        (b"{a: '\xff'}", "req: (top): cannot be read: not UTF-8 text"),
        ("{a: '\udcff'}", "req: (top): cannot be read: not UTF-8 text"),
    ],
)
def test_unreadable_text_is_one_problem(text: str | bytes, problem: str) -> None:
    problems = Problems()
    assert template_document("req", text, problems) is None
    assert problems.lines() == [problem]
    assert problems_of(text) == [problem]


def test_a_name_is_one_line_and_never_empty() -> None:
    problems = Problems()
    assert text_program("a\nb", "{a: }", problems) is not None
    assert text_program("", "", problems) is None
    assert problems.lines() == ["template: (top): is empty"]
    assert problems_of("{a: }", name="my\ntemplate") == [
        'my template:1:5: Unexpected: "}" while parsing terminal'
    ]


# Imports are refused.


@pytest.mark.parametrize("keyword", ["import", "importstr", "importbin"])
@pytest.mark.parametrize("where", ["relative", "absolute", "parent", "nested"])
def test_every_import_is_refused(
    keyword: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    for path in (tmp_path / "lib.libsonnet", tmp_path / "sub" / "x.libsonnet"):
        path.write_text("{secret: 1}")  # there to be read: still refused
    monkeypatch.chdir(tmp_path / "sub")
    imported = {
        "relative": "x.libsonnet",
        "absolute": str(tmp_path / "lib.libsonnet"),
        "parent": "../lib.libsonnet",
        "nested": "./sub/../x.libsonnet",
    }[where]
    text = f"{{\n  a: {keyword} '{imported}',\n}}"
    expected = (
        f"req:2:6: import '{imported}': a template sent over HTTP cannot import files"
    )
    assert problems_of(text) == [expected]
    problems = Problems()
    assert template_document("req", text, problems) is None
    assert problems.lines() == [expected]


def test_an_import_that_is_never_evaluated_is_refused_when_it_is() -> None:
    problems = Problems()
    text = "{a: 1, b:: import 'x.libsonnet', c: self.b}"
    cls = template_document("req", text, problems, check=False)
    assert cls is not None
    provider = cls(seed=1)
    with pytest.raises(DeclarationError) as caught:
        provider.generate_many(1)
    provider.close()
    assert "cannot import files" in str(caught.value)
    assert "\n" not in str(caught.value)


# Broken templates: one line with the line and column.


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{\n  a: ,\n}", 'req:2:6: Unexpected: "," while parsing terminal'),
        ("{\n  a: 1 - 'x',\n}", "req:2:6: Unexpected type string, expected number"),
        ("{\n  a: [][1],\n}", "req:2:6: Index 1 out of bounds"),
        ("{\n  a: error 'no',\n}", "req:2:6: no"),
        (
            "{\n  a: std.native('get_integer')(5, 1),\n}",
            "req:2:6: get_integer: max 1 is below min 5",
        ),
        (
            "{\n  a: std.native('get_timestamp')('2021-01-01', '2021-01-02', '0s'),\n}",
            "req:2:6: get_timestamp: step '0s' must be longer than zero",
        ),
        (
            "[1, 2]",
            "req: a template must evaluate to an object (a document), not an array",
        ),
    ],
)
def test_a_broken_template_is_one_line_with_line_and_column(
    text: str, problem: str
) -> None:
    lines = problems_of(text)
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith(problem)
    problems = Problems()
    assert template_document("req", text, problems) is None
    assert problems.lines() == lines


def test_a_template_that_never_ends_is_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(evaluator_module, "BATCH_SECONDS", 1.0)
    text = "local spin(n) = if n < 0 then n else spin(n + 1) tailstrict; {x: spin(0)}"
    with pytest.raises(ProviderError, match="longer than 1 s"):
        check_template_text("req", text, Problems())
    with pytest.raises(ProviderError, match="longer than 1 s"):
        canonical_digest(text)


# The canonical digest.


def test_reordered_keys_make_the_same_documents_and_digest() -> None:
    assert documents(SHUFFLED) == documents(EVENT_TEXT)
    assert canonical_digest(SHUFFLED) == canonical_digest(EVENT_TEXT)


def test_whitespace_and_comments_keep_the_digest() -> None:
    squeezed = " ".join(
        line.split("//")[0] for line in EVENT_TEXT.splitlines()
    )  # no comments, one line
    commented = "# a comment\n/* and another */\n" + EVENT_TEXT.replace(
        "    ", "\t"
    ).replace(",\n", ",  // so\n")
    digest = canonical_digest(EVENT_TEXT)
    assert canonical_digest(squeezed) == digest
    assert canonical_digest(commented) == digest


def test_the_digest_of_a_file_is_that_of_its_text() -> None:
    program = read_template(EVENT, Problems())
    assert program is not None
    assert canonical_digest(program) == canonical_digest(EVENT_TEXT)
    assert canonical_digest(EVENT_TEXT.encode()) == canonical_digest(EVENT_TEXT)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("get_integer(1, 1000)", "get_integer(1, 1001)"),  # the same draws, new range
        (
            "get_number(1, 1000),\n                y",
            "get_number(2, 1000),\n                y",
        ),
        ('"ru, us, jp, cn"', '"ru, us, jp, de"'),
        ('"dummy_dataset"', '"other_dataset"'),
        ('"1h"', '"2h"'),
        ("session_id:", "session:"),
        ("button_id:", "button:"),
        ("page_id: $", "page: $"),
        ("get_integer(1, 15)", "get_integer(1, 15) + 0.5"),
    ],
)
def test_a_change_in_what_is_generated_changes_the_digest(old: str, new: str) -> None:
    assert EVENT_TEXT.count(old) == 1
    assert canonical_digest(EVENT_TEXT.replace(old, new)) != canonical_digest(
        EVENT_TEXT
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("button_id: 1", "button: 1"),
        ("button_id: 1", "button_id: 2"),
        ("button_id: 1", "button_id: 1 + 1"),
        ("get_integer(1, 100)", "get_integer(1, 101)"),
    ],
)
def test_a_change_in_a_branch_never_taken_changes_the_digest(
    old: str, new: str
) -> None:
    text = (
        "local get_integer = std.native('get_integer');\n"
        "{ a: get_integer(1, 100), b: if self.a > 1000 then { button_id: 1 } }"
    )
    assert canonical_digest(text.replace(old, new)) != canonical_digest(text)


def test_the_tokens_leave_out_whitespace_comments_and_commas_only() -> None:
    text = """{
      'a': "x // y", // z
      b: @'it''s', /* c */ c: |||
          two
            lines
      |||, # d
      d: [1, 2,],
    }"""
    assert list(tokens(text)) == (
        ["{", '"a', ":", '"x // y', "b", ":", "@it's", "c", ":"]
        + ["|||two\n  lines", "d", ":", "[", "1", "2", "]", "}"]
    )
    assert sorted(tokens("{b: 1 - 2, a: 3}")) == sorted(tokens("{ a:3,b:1-2 , }"))
    assert sorted(tokens("{a: 1 - 2}")) != sorted(tokens("{a: 1 + 2}"))


def test_the_dataset_and_instance_id_change_the_digest() -> None:
    plain = canonical_digest(EVENT_TEXT)
    digests = {
        plain,
        canonical_digest(EVENT_TEXT, dataset="a"),
        canonical_digest(EVENT_TEXT, dataset="b"),
        canonical_digest(EVENT_TEXT, instance_id="a"),
        canonical_digest(EVENT_TEXT, dataset="a", instance_id="a"),
    }
    assert len(digests) == 5
    # even for a template that reads neither
    assert canonical_digest("{a: 1}", dataset="a") != canonical_digest("{a: 1}")


def test_the_digest_is_hex_and_repeats() -> None:
    digest = canonical_digest(EVENT_TEXT)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert canonical_digest(EVENT_TEXT) == digest


def test_a_broken_template_has_no_digest_but_one_line() -> None:
    with pytest.raises(DeclarationError) as caught:
        canonical_digest("{\n  a: std.native('get_integer')(5, 1),\n}")
    assert str(caught.value) == "template:2:6: get_integer: max 1 is below min 5"
    with pytest.raises(DeclarationError, match="cannot import files"):
        canonical_digest("{a: import '/etc/hostname'}")
    with pytest.raises(DeclarationError, match="is empty"):
        canonical_digest("  ")


def test_the_engine_stays_out_of_this_process() -> None:
    canonical_digest(EVENT_TEXT)
    documents(EVENT_TEXT, 1)
    assert "_gojsonnet" not in sys.modules


# Recording native calls is opt-in.


def test_a_normal_run_does_not_record_calls() -> None:
    provider = from_text(EVENT_TEXT)
    assert provider.natives.calls is None
    reply = provider.evaluator.evaluate(3, provider.natives.seed_state(1))
    provider.close()
    assert reply.failure is None and reply.calls is None


def test_a_recording_run_records_each_call_of_the_batch() -> None:
    program = text_program("req", EVENT_TEXT, Problems())
    assert program is not None
    natives = Natives(record=True)
    reply = evaluate_once(program, natives, 2, 0)
    assert reply.calls is not None
    names = [name for name, _ in reply.calls]
    # 10 calls a document, and 1 or 2 more for button_click's or click's data
    assert 20 <= len(names) <= 24
    assert 6 <= names.count("get_integer") <= 8  # id, session_id, page_id, button
    assert ("get_integer", (1.0, 1000.0)) in reply.calls
    assert natives.calls == []  # the parent's list: the child recorded its own


@pytest.mark.parametrize(
    "text, at",
    [("{ a: ", "template:1:6:"), ("{\n a: 1,\n b: [1, 2\n", "template:3:10:")],
)
def test_a_template_cut_short_is_named_at_its_end(text: str, at: str) -> None:
    problems = Problems()
    check_template_text("template", text, problems)
    (line,) = problems.lines()
    assert line.startswith(at) and "ends before it is complete" in line
    assert "\n" not in line
