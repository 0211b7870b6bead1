"""`python:module:Class`: a user's own sink class, loaded from the current folder."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.python_sink import PythonSink
from datagen.sinks.spec import open_sink
from tests.sinks.conformance import check_sink_delivers

USER_MODULE = '''
import json


class LineWriter:
    """Only send(): appends each event to a file as a JSON line."""

    def __init__(self, path):
        self.handle = open(path, "a")

    def send(self, event):
        if event.get("explode"):
            raise RuntimeError("cannot write this one\\nsecond line")
        self.handle.write(json.dumps(event) + "\\n")

    def close(self):
        self.handle.write(json.dumps({"closed": True}) + "\\n")
        self.handle.close()


class Batched(LineWriter):
    def send_many(self, events):
        self.handle.write(json.dumps({"batch": len(events)}) + "\\n")
        for event in events:
            self.send(event)

    def flush(self):
        self.handle.flush()


class NoSend:
    pass


class Picky:
    def __init__(self, required):
        self.required = required

    def send(self, event):
        pass
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A user's sink module in the current folder, under a name of its own."""
    name = f"user_sinks_{secrets.token_hex(4)}"
    (tmp_path / f"{name}.py").write_text(USER_MODULE)
    monkeypatch.chdir(tmp_path)
    yield name
    sys.modules.pop(name, None)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_conformance_with_send_only(module: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    check_sink_delivers(
        lambda: open_sink(f"python:{module}:LineWriter?path={out}"),
        lambda: [line for line in _lines(out) if "id" in line],
    )
    assert _lines(out)[-1] == {"closed": True}


def test_send_many_is_used_when_present(module: str, tmp_path: Path) -> None:
    out = tmp_path / "batched.jsonl"
    with open_sink(f"python:{module}:Batched?path={out}") as sink:
        sink.send_many([{"id": 1}, {"id": 2}])
    assert _lines(out) == [{"batch": 2}, {"id": 1}, {"id": 2}, {"closed": True}]
    assert isinstance(sink, PythonSink) and sink.delivery.acknowledged == 2


def test_an_error_in_send_is_counted_and_one_line(module: str, tmp_path: Path) -> None:
    sink = open_sink(f"python:{module}:LineWriter?path={tmp_path / 'x.jsonl'}")
    with pytest.raises(SinkError) as caught:
        sink.send_many([{"id": 1}, {"id": 2}, {"explode": True}, {"id": 4}])
    message = str(caught.value)
    assert "send() failed: RuntimeError: cannot write this one" in message
    assert "\n" not in message
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (4, 2, 2)


@pytest.mark.parametrize(
    "reference, message",
    [
        ("no_such_module_xyz:Sink", "cannot import no_such_module_xyz"),
        ("{module}:Missing", "has no Missing"),
        ("{module}:NoSend", "has no send(event) method"),
        ("{module}:Picky", "could not be created: TypeError"),
        ("{module}", "is not module:Class"),
    ],
)
def test_bad_references_are_one_line_config_errors(
    module: str, reference: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        open_sink(f"python:{reference.format(module=module)}")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_broken_module_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_sink_mod.py").write_text("def oops(:\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="cannot import broken_sink_mod: SyntaxError"):
        open_sink("python:broken_sink_mod:Sink")
