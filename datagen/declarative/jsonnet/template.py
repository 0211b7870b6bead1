"""A `.jsonnet` template (the Eventer tool's format) as a document provider.

jsonnet_document() reads the file and makes the provider class (unregistered:
the loader registers it); check_template() evaluates it once and reports what
is wrong as 'file:line:column: message'. A template given as text (text.py)
goes through the same program_of(), provider_class() and check_program().
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from datagen.declarative.jsonnet.evaluator import Evaluator, Reply
from datagen.declarative.jsonnet.natives import Natives
from datagen.declarative.jsonnet.program import Failure, Program
from datagen.declarative.problems import (
    DeclarationError,
    Problem,
    Problems,
    Source,
)
from datagen.documents import DocumentProvider
from datagen.timefmt import DEFAULT_START

#: Documents evaluated by one program (the run's blocks are 1,000).
BATCH = 1000


@dataclass(frozen=True)
class JsonnetProblem(Problem):
    """A problem at a line and column of a template: 'file:12:5: message'."""

    line: int | None = None
    column: int | None = None
    elsewhere: str = ""

    def describe(self, source: Source | None = None) -> str:
        file = source.file if source is not None else None
        at = str(file) if file is not None else "template"
        if self.line:
            at += f":{self.line}:{self.column or 1}"
        if self.elsewhere:
            at += f": in {self.elsewhere}"
        return f"{at}: {self.message}"


def add_failure(problems: Problems, failure: Failure) -> None:
    problems.items.append(
        JsonnetProblem(
            (), failure.message, failure.line, failure.column, failure.elsewhere
        )
    )


class JsonnetDocumentProvider(DocumentProvider, abstract=True):
    """Documents evaluated from a Jsonnet template, in batches, in a child
    process (evaluator.py). The native functions draw from one RNG seeded by
    the provider's seed, so a seed repeats every document whatever the
    batches: generate_many(1) then (999) gives what (1000) does."""

    program: ClassVar[Program]
    dataset: ClassVar[str | None] = None
    instance_id: ClassVar[str | None] = None

    def __init__(
        self, locale: str = "en", seed: int = 0, now: datetime = DEFAULT_START
    ) -> None:
        super().__init__(locale, seed, now)
        self.natives = Natives(locale, self.dataset, self.instance_id, now)
        self.evaluator = Evaluator(self.program, self.natives)
        self._state = self.natives.seed_state(seed)

    def reseed(self, seed: int) -> None:
        super().reseed(seed)
        self._state = self.natives.seed_state(seed)

    def generate_many(self, count: int) -> list[dict[str, Any]]:
        documents: list[dict[str, Any]] = []
        while len(documents) < count:
            size = min(BATCH, count - len(documents))
            reply = self.evaluator.evaluate(size, self._state)
            batch, failure = batch_documents(reply)
            if failure is not None:
                raise failure_error(self.program, failure)
            documents.extend(batch)
            self._state = reply.state
        return documents

    def create_schema(self, _: Any) -> dict[str, Any]:
        return self.generate_many(1)[0]

    def close(self) -> None:
        """Stop the evaluating process now (it also ends with the provider)."""
        self.evaluator.close()


def batch_documents(reply: Reply) -> tuple[list[dict[str, Any]], Failure | None]:
    """A reply's documents, or the failure: the engine's, or a document
    that is no object."""
    if reply.failure is not None or reply.text is None:
        return [], reply.failure or Failure(None, None, "evaluation failed")
    batch = json.loads(reply.text)
    for document in batch:
        if not isinstance(document, dict):
            return [], Failure(None, None, _not_an_object(document))
    return batch, None


def failure_error(program: Program, failure: Failure) -> DeclarationError:
    """The one-line error of a failed evaluation: 'name:line:column: message'."""
    problems = Problems(Source(program.path, None))
    add_failure(problems, failure)
    return DeclarationError(problems)


def _not_an_object(value: Any) -> str:
    kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    shown = kind.get(type(value), "a number")
    return f"a template must evaluate to an object (a document), not {shown}"


def read_template(path: Path, problems: Problems) -> Program | None:
    """The template's Program; None (with the problem added) when unreadable."""
    problems.source = Source(path, None)
    try:
        source = path.read_bytes()
    except OSError as exc:
        problems.add((), f"cannot be read: {exc.strerror or exc}")
        return None
    return program_of(path, source, problems)


def program_of(
    path: Path, source: str | bytes, problems: Problems, from_file: bool = True
) -> Program | None:
    """The Program of a template's text (bytes as UTF-8; line ends as a
    file read as text has them); None, with the problem added, when it is
    not UTF-8, empty or holds a NUL."""
    problems.source = Source(path, None)
    try:
        text = source.decode() if isinstance(source, bytes) else source
        text.encode()  # a str may hold lone surrogates: no UTF-8 either
    except UnicodeError:
        problems.add((), "cannot be read: not UTF-8 text")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.add((), "is empty")
        return None
    if "\x00" in text:  # the engine takes C strings
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.add((), f"holds a NUL character (line {line})")
        return None
    return Program(path, text, from_file)


def provider_class(
    program: Program,
    name: str,
    description: str,
    dataset: str | None = None,
    instance_id: str | None = None,
) -> type[JsonnetDocumentProvider]:
    """The provider class of a program (abstract: not registered)."""
    attributes = {
        "name": name,
        "description": description,
        "program": program,
        "dataset": dataset,
        "instance_id": instance_id,
        "__module__": __name__,
        "__qualname__": f"JsonnetTemplate[{name}]",
    }
    return type(name, (JsonnetDocumentProvider,), attributes, abstract=True)


def jsonnet_document(
    path: Path,
    problems: Problems,
    dataset: str | None = None,
    instance_id: str | None = None,
) -> type[DocumentProvider] | None:
    """The document provider of the template at path, named after the file
    (event.jsonnet -> 'event'), not registered; None with problems added when
    the file cannot be read. Cheap: nothing is evaluated until documents are
    asked for (check_template evaluates once)."""
    program = read_template(path, problems)
    if program is None:
        return None
    description = f"Jsonnet template {path.name} (Eventer format)"
    return provider_class(program, path.stem, description, dataset, instance_id)


def evaluate_once(program: Program, natives: Natives, count: int, seed: int) -> Reply:
    """count documents of a fresh evaluating process, from seed (bounded in
    time by BATCH_SECONDS: ProviderError past it, or if the process dies)."""
    evaluator = Evaluator(program, natives)
    try:
        return evaluator.evaluate(count, natives.seed_state(seed))
    finally:
        evaluator.close()


def check_program(program: Program, problems: Problems) -> None:
    """Evaluate the program once and add what is wrong (a syntax or runtime
    error, a bad native argument, a refused import, a result that is no
    object) as one problem naming the line and column."""
    _, failure = batch_documents(evaluate_once(program, Natives(), 1, 0))
    if failure is not None:
        add_failure(problems, failure)


def check_template(path: Path, problems: Problems) -> None:
    """check_program for the template at path (an import outside its
    folder is refused), after the checks of reading it."""
    program = read_template(path, problems)
    if program is not None:
        check_program(program, problems)
