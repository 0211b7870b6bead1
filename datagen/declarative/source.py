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


def read_source(file: Path, problems: Problems) -> Source | None:
    """The file's Source; None (with the problem added) when it cannot be read
    or parsed. Duplicate keys are problems too (YAML would keep the last)."""
    problems.source = Source(file, None)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add((), f"cannot be read: {getattr(exc, 'strerror', None) or exc}")
        return None
    if file.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            problems.source = Source(file, None, {(): exc.lineno})
            problems.add((), f"not valid JSON: {exc.msg} (column {exc.colno})")
            return None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.add((), "is empty")
            return None
        lines: dict[FieldPath, int] = {(): node.start_mark.line + 1}
        unreadable = len(problems)
        _walk(loader, node, (), lines, problems)
        if len(problems) > unreadable:
            problems.source = Source(file, None, lines)
            return None
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.source = Source(file, None, {(): line} if line else {})
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.add((), f"not valid YAML: {problem}")
        return None
    finally:
        loader.dispose()
    source = Source(file, data, lines)
    problems.source = source
    return source


def _walk(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    problems: Problems,
) -> None:
    """Record the line of every key and list item under node."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, (str, int)) else str(key)
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            if key in seen:
                problems.add(child, "appears twice")
            seen.add(key)
            _walk(loader, value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), lines, problems)
    else:  # a scalar: one that cannot be made (2020-13-01 unquoted) is named
        try:
            loader.construct_object(node)
        except (ValueError, TypeError, OverflowError) as exc:
            lines.setdefault(path, node.start_mark.line + 1)
            problems.add(path, f"cannot be read as {_tag(node)}: {exc}")


def _tag(node: yaml.Node) -> str:
    """'timestamp' for 'tag:yaml.org,2002:timestamp'."""
    return str(node.tag).rsplit(":", 1)[-1]
