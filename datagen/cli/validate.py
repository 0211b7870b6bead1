"""`validate`: check declaration files and print every problem, one a line."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from datagen.declarative.loader import (
    SUFFIXES,
    TEMPLATE_SUFFIX,
    Declaration,
    compile_declaration,
    compiler,
    default_registries,
    read_declaration,
    same_file,
)
from datagen.declarative.problems import FieldPath, Problem
from datagen.errors import ConfigError, first_line

if TYPE_CHECKING:  # imported when validate runs: 70 ms off every other command
    import jsonschema

#: The JSON Schema of a declaration file (shipped with the package).
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "provider.schema.json"
#: Documents first, so a journey may name a document given beside it.
ORDER = {"document": 0, "journey": 1, "simulation": 2}
WHAT = {"document": "document provider", "journey": "journey provider"}


@click.command()
@click.argument(
    "files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--schema", is_flag=True, help="Print the JSON Schema's path and exit.")
@click.option(
    "--explain",
    is_flag=True,
    help="Also say, for each good document declaration, which engine `document` "
    "runs it with and which fields the columnar engine makes per row, and why.",
)
def validate(files: tuple[Path, ...], schema: bool, explain: bool) -> None:
    """Check provider declarations (.yaml, .yml, .json, .jsonnet): print every
    problem as `file:line: field.path: message` and `file: ok (...)` for each
    good file. Exits 1 when any file has a problem, 2 for bad usage (a file
    that does not exist, or of another kind).

    Example:

    \b
        python generate.py validate providers/*.yaml
        python generate.py validate --explain examples/starfleet_account.yaml
        python generate.py validate --schema
    """
    if schema:
        click.echo(SCHEMA)
        return
    if not files:
        raise ConfigError("give the declaration files to check: validate FILE...")
    for file in files:
        if file.suffix not in SUFFIXES:
            raise ConfigError(
                f"'{file}' is not a declaration: {', '.join(SUFFIXES)} files only"
            )
    declarations = [read_declaration(file) for file in files]
    results = {}
    for declaration in sorted(declarations, key=lambda d: ORDER[d.kind]):
        results[id(declaration)] = check(declaration, explain)
    failed = problems = 0
    for declaration in declarations:
        lines, count = results[id(declaration)]
        failed, problems = failed + bool(count), problems + count
        for line in lines:
            click.echo(line)
    if problems:
        s = "s" if problems > 1 else ""
        raise click.ClickException(
            f"{problems} problem{s} in {failed} of {len(files)} file"
            f"{'s' if len(files) > 1 else ''}"
        )


def check(declaration: Declaration, explain: bool = False) -> tuple[list[str], int]:
    """The lines to print for one file, and its number of problems: every
    problem (from the schema, the compiler and the registry, each once, by
    line), else one `ok` line (and with `explain`, a document's engine
    lines). A good file is registered, so a later file may name it."""
    problems = declaration.problems
    item = None
    try:
        if declaration.file.suffix == TEMPLATE_SUFFIX:
            from datagen.declarative.jsonnet import check_template

            check_template(declaration.file, problems)
            if not problems:
                item = compile_declaration(declaration).item
        elif declaration.source is not None:
            item = compiler(declaration.kind)(declaration.source, problems)
    except Exception as exc:  # a compiler's bug is this file's problem
        text = f"{type(exc).__name__}: {first_line(exc)}"
        problems.add((), f"could not be compiled: {text}")
    found = list(problems)
    if declaration.source is not None:
        paths = {problem.path for problem in found}
        messages = {problem.message for problem in found}
        for path, message in schema_problems(declaration.source.data):
            if path not in paths and message not in messages:
                found.append(Problem(path, message))
                paths.add(path)
    if not found and item is not None:
        found = register(declaration, item)
    if found:
        source = problems.source
        at = {id(p): source.line_of(p.path) if source else None for p in found}
        found.sort(key=lambda p: at[id(p)] or 0)
        lines = [problem.describe(source) for problem in _unique(found)]
        return lines, len(lines)
    what = WHAT.get(declaration.kind, declaration.kind)
    lines = [f"{declaration.file}: ok ({what} '{declaration.name}')"]
    if explain:
        lines.extend(engine_lines(declaration, item))
    return lines, 0


def engine_lines(declaration: Declaration, item: Any) -> list[str]:
    """How `document` runs a good declaration: the columnar engine when every
    field is vectorised; else each field it makes per row, as
    `file:line: fields.path: why`."""
    if declaration.kind != "document":
        return []
    columns = getattr(item, "columns", None)
    where = declaration.file
    if columns is None:
        return [f"{where}: engine: row (a template is evaluated per document)"]
    fallbacks = columns().fallbacks
    if not fallbacks:
        return [f"{where}: engine: columnar (every field is vectorised)"]
    s = "s" if len(fallbacks) > 1 else ""
    lines = [
        f"{where}: engine: row; --engine columnar makes {len(fallbacks)} "
        f"field{s} per row:"
    ]
    source = declaration.source
    for fallback in fallbacks:
        path = ("fields", *fallback.path.split("."))
        lines.append(Problem(path, fallback.reason).describe(source))
    return lines


def _unique(problems: list[Problem]) -> Iterator[Problem]:
    seen: set[Problem] = set()
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            yield problem


def register(declaration: Declaration, item: Any) -> list[Problem]:
    """Add a good declaration to its registry; a problem when another item has
    its name (the same file, read from ./providers too, is no clash)."""
    registry = default_registries()[declaration.kind]
    name, origin = declaration.name, str(declaration.file)
    path: FieldPath = () if declaration.source is None else ("provider",)
    if name in registry:
        if same_file(registry.origin(name), declaration.file):
            return []
        other = registry.origin(name)
        return [Problem(path, f"another {registry.kind} is named '{name}': {other}")]
    if name in registry.failures:
        failure = registry.failures[name]
        if not same_file(failure.origin, declaration.file):
            return [Problem(path, f"'{name}' is also declared in {failure.origin}")]
        return []
    registry.add(name, item, origin)
    return []


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def schema_problems(data: Any) -> list[tuple[FieldPath, str]]:
    """The schema's errors of data as (field path, message), in its words."""
    found: list[tuple[FieldPath, str]] = []
    for error in _validator().iter_errors(data):
        path: FieldPath = tuple(error.absolute_path)
        found.extend(_described(error, path))
    return found


def _described(
    error: jsonschema.ValidationError, path: FieldPath
) -> list[tuple[FieldPath, str]]:
    """One schema error as problems at the field they are about."""
    instance, expected = error.instance, error.validator_value
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = error.schema.get("properties", {})
        extra = [key for key in instance if key not in allowed]
        return [((*path, str(key)), f"unknown key '{key}'") for key in extra]
    if error.validator == "required" and isinstance(instance, dict):
        return [
            ((*path, key), "missing: it is required")
            for key in expected
            if key not in instance
        ]
    if error.validator == "type":
        types = expected if isinstance(expected, list) else [expected]
        return [(path, f"must be {' or '.join(types)}, not {_json_type(instance)}")]
    if error.validator == "enum":
        return [(path, f"must be one of {', '.join(map(str, expected))}")]
    if error.validator == "const":
        return [(path, f"must be {expected!r}")]
    if error.validator in ("anyOf", "oneOf"):
        if path and path[-1] == "gen":
            return [(path, f"unknown generator {_shown(instance)}")]
        reasons = sorted({first_line(sub.message) for sub in error.context or ()})
        return [(path, "not valid: " + "; or ".join(_short(r) for r in reasons))]
    return [(path, _short(first_line(error.message)))]


def _json_type(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "boolean"}
    names.update({int: "integer", float: "number", type(None): "null"})
    return names.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    return _short(repr(value), 60)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
