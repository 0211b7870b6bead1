"""`graph`: state machines and page graphs as .dot text or Graphviz pictures."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

import datagen.engine.simulations  # noqa: F401 - registers the built-ins
from datagen.cli import cli
from datagen.engine.model import SIMULATIONS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs graphviz")


def graph(*argv: str):
    return CliRunner().invoke(cli, ["graph", *argv])


def test_banking_as_dot_has_every_transition_with_its_percent(tmp_path):
    path = tmp_path / "banking.dot"
    result = graph("banking", "-o", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith('digraph "banking"')
    assert '"online" -> "loan_screen" [label="open_loan_screen 30%"]' in text
    assert '"offline" -> "offline" [label="income 0.01%"]' in text
    assert "stay 99.79%" in text and '"__start__" -> "offline"' in text


def test_web_as_dot_marks_landing_pages_and_the_session_end(tmp_path):
    path = tmp_path / "web.dot"
    assert graph("web", "-o", str(path)).exit_code == 0
    text = path.read_text()
    assert '"__start__" -> "home" [label="60%"]' in text
    assert '"session_end" [label="session_end", shape=doublecircle]' in text
    assert '"cart" -> "payment" [label="50%"]' in text


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_pictures_are_drawn_by_graphviz(tmp_path, suffix, magic):
    path = tmp_path / f"g{suffix}"
    assert graph("banking", "-o", str(path)).exit_code == 0
    assert path.read_bytes().startswith(magic) and path.stat().st_size > 1000


def test_without_dot_a_png_is_a_clear_error_and_dot_text_still_works(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no `dot` lives
    result = graph("web", "-o", str(tmp_path / "g.png"))
    assert result.exit_code == 1 and "needs Graphviz's `dot`" in result.output
    assert not (tmp_path / "g.png").exists()
    assert graph("web", "-o", str(tmp_path / "g.dot")).exit_code == 0


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["nope", "-o", "g.png"], 2, "unknown simulation 'nope'"),
        (["plain", "-o", "g.dot"], 2, "simulation 'plain' has no graph"),
        (["banking", "-o", "g.jpg"], 2, "unknown picture format '.jpg'"),
    ],
)
def test_bad_input_gets_one_line(tmp_path, monkeypatch, argv, code, message):
    monkeypatch.chdir(tmp_path)
    with SIMULATIONS.isolated():
        SIMULATIONS.add("plain", lambda **options: object(), origin=__name__)
        result = graph(*argv)
    assert result.exit_code == code and message in result.output
    assert "Traceback" not in result.output
