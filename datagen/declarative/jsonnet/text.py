"""A Jsonnet template given as text (a request to `datagen serve`), not as a
file: the same provider class and checks as a file's (template.py), with a
name where the file would be and no folder, so every `import`, `importstr`
and `importbin` is refused: a template from a request must never read the
server's files."""

from __future__ import annotations

from pathlib import Path

from datagen.declarative.jsonnet.program import Program
from datagen.declarative.jsonnet.template import (
    JsonnetDocumentProvider,
    check_program,
    program_of,
    provider_class,
)
from datagen.declarative.problems import Problems

#: The name of a template given without one.
DEFAULT_NAME = "template"


def text_program(name: str, text: str | bytes, problems: Problems) -> Program | None:
    """The Program of a template's text (bytes are read as UTF-8), named name
    in its messages ('name:3:5: message'); None, with the problem added, when
    the text is not UTF-8, empty or holds a NUL."""
    return program_of(Path(_one_line(name)), text, problems, from_file=False)


def template_document(
    name: str,
    text: str | bytes,
    problems: Problems,
    dataset: str | None = None,
    instance_id: str | None = None,
    check: bool = True,
) -> type[JsonnetDocumentProvider] | None:
    """The document provider class of a template given as text, named name
    and not registered: what jsonnet_document() makes of a file. With check
    (the default) the template is evaluated once first (in the evaluating
    child process, bounded in time), so a broken one is None with its one
    problem added, before anything starts. ProviderError (one line) when
    that evaluation takes longer than BATCH_SECONDS or its process dies."""
    program = text_program(name, text, problems)
    if program is None:
        return None
    if check:
        check_program(program, problems)
        if problems:
            return None
    description = f"Jsonnet template '{program.name}' given as text (Eventer format)"
    return provider_class(program, program.name, description, dataset, instance_id)


def check_template_text(name: str, text: str | bytes, problems: Problems) -> None:
    """check_template() for a template given as text: evaluate it once and
    add what is wrong as one problem ('name:line:column: message')."""
    program = text_program(name, text, problems)
    if program is not None:
        check_program(program, problems)


def _one_line(name: str) -> str:
    """The name as one line of text, never empty (it starts every message)."""
    return " ".join(name.split()) or DEFAULT_NAME
