"""Reading a declaration file (YAML or JSON) into a Source: its data and the
line of every field, so each problem can name where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from datagen.declarative.problems import FieldPath, Problems, Source

#: The suffixes of declaration files; .jsonnet templates are read elsewhere.
DATA_SUFFIXES = (".yaml", ".yml", ".json")
#: The most values a declaration may hold once YAML's aliases are expanded:
#: nine aliases of nine aliases (a "billion laughs") would otherwise hang
#: every command that reads ./providers.
MAX_VALUES = 100_000


class _TooLarge(Exception):
    """A declaration past MAX_VALUES."""


def read_source(
    file: Path, problems: Problems, text: str | None = None
) -> Source | None:
    """The file's Source; None (with the problem added) when it cannot be read
    or parsed. Duplicate keys are problems too (YAML would keep the last), and
    so is text no UTF-8 output could hold (an unpaired surrogate escape).

    With text (a declaration sent over HTTP), nothing is read from disk: file
    only names the text in problems and its suffix chooses the parser."""
    problems.source = Source(file, None)
    if text is None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            problems.add((), f"cannot be read: {reason}")
            return None
    before = len(problems)
    if file.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.source = Source(file, None, {(): exc.lineno})
            problems.add((), f"not valid JSON: {exc.msg} (column {exc.colno})")
            return None
        lines = _json_lines(text)
    else:
        read = _read_yaml(file, text, problems)
        if read is None:
            return None
        data, lines = read
    _check_text(data, (), problems)
    if len(problems) > before:
        problems.source = Source(file, None, lines)
        return None
    source = Source(file, data, lines)
    problems.source = source
    return source


def _read_yaml(
    file: Path, text: str, problems: Problems
) -> tuple[Any, dict[FieldPath, int]] | None:
    """YAML's data and lines; None with the problem added when it has none."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a control character, say
        _yaml_problem(file, exc, problems)
        return None
    try:
        node = loader.get_single_node()
        if node is None:
            problems.add((), "is empty")
            return None
        lines: dict[FieldPath, int] = {(): node.start_mark.line + 1}
        before = len(problems)
        try:
            _walk(loader, node, (), lines, problems)
        except _TooLarge:
            problems.add(
                (),
                f"holds more than {MAX_VALUES:,} values once its aliases "
                "(*name) are expanded",
            )
            return None
        if len(problems) > before:
            problems.source = Source(file, None, lines)
            return None
        return loader.construct_document(node), lines
    except yaml.YAMLError as exc:
        _yaml_problem(file, exc, problems)
        return None
    finally:
        loader.dispose()


def _yaml_problem(file: Path, exc: yaml.YAMLError, problems: Problems) -> None:
    """exc as a problem at its line."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problems.source = Source(file, None, {(): line} if line else {})
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    problems.add((), f"not valid YAML: {problem}")


def _json_lines(text: str) -> dict[FieldPath, int]:
    """The lines of a JSON file's fields, read through YAML (JSON is nearly a
    subset of it); none when YAML reads it otherwise."""
    lines: dict[FieldPath, int] = {}
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _walk(loader, node, (), lines, None)
        finally:
            loader.dispose()
    except Exception:  # only lines are lost: the data came from json
        return {}
    return lines


def _check_text(data: Any, path: FieldPath, problems: Problems) -> None:
    """A problem for each text (key or value) that UTF-8 cannot encode."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            problems.add(path, "holds an unpaired surrogate (\\ud800-\\udfff) escape")
    elif isinstance(data, dict):
        for key, value in data.items():
            child = (*path, key if isinstance(key, (str, int)) else str(key))
            _check_text(key, child, problems)
            _check_text(value, child, problems)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _check_text(item, (*path, index), problems)


def _walk(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    problems: Problems | None,
) -> None:
    """Record the line of every key and list item under node; with problems,
    also note duplicate keys and scalars that cannot be made. _TooLarge past
    MAX_VALUES lines."""
    if len(lines) > MAX_VALUES:
        raise _TooLarge
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, (str, int)) else str(key)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            if key in seen and problems is not None:
                problems.add(child, "appears twice")
            seen.add(key)
            _walk(loader, value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), lines, problems)
    elif problems is not None:  # a scalar that cannot be made (2020-13-01)
        try:
            loader.construct_object(node)
        except (ValueError, TypeError, OverflowError) as exc:
            lines.setdefault(path, node.start_mark.line + 1)
            problems.add(path, f"cannot be read as {_tag(node)}: {exc}")


def _tag(node: yaml.Node) -> str:
    """'timestamp' for 'tag:yaml.org,2002:timestamp'."""
    return str(node.tag).rsplit(":", 1)[-1]
