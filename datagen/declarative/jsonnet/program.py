"""A template as the program the engine runs: the template's text inside a
function, called once per document of a batch, with Eventer's natives; the
engine's errors read back as (line, column, message) in the template.

Evaluating one program for a batch is ~3-9x faster than one evaluation per
document. The template keeps its own lines: the prelude is one line above
it and is taken off every position reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from datagen.declarative.jsonnet.natives import (
    ALIASES,
    NATIVE_PARAMS,
    RAND_DATA_KEYS,
    RAND_KEY_NATIVE,
)
from datagen.declarative.problems import nearest

#: The lazy get_rand_data(): an object whose every key is drawn by one native
#: call when read, so `get_rand_data()["first_name"]` draws one value, not 44.
_RAND_FIELDS = ", ".join(
    f"{key}: self.{ALIASES[key]}" if key in ALIASES else f"{key}: __key('{key}')"
    for key in RAND_DATA_KEYS
)
_KNOWN = ", ".join(sorted(NATIVE_PARAMS))
_TABLE = ", ".join(
    f"{name}: __std.native('{name}')"
    for name in sorted(NATIVE_PARAMS)
    if name != "get_rand_data"
)
#: Line 1 of every program: `std` seen by the template is std with a native()
#: that hands out the lazy get_rand_data and refuses unknown names. Built once
#: a program, outside the function made of the template, with the natives
#: looked up once (std.member per call halved the documents a second).
PRELUDE = (
    f"local __std = std; local __key = __std.native('{RAND_KEY_NATIVE}'); "
    f"local __natives = {{ {_TABLE}, "
    f"get_rand_data: function() {{ {_RAND_FIELDS} }} }}; "
    "local std = __std { native(name):: if __std.objectHasAll(__natives, name) "
    "then __natives[name] else error 'unknown native function ' "
    f"+ __std.manifestJsonEx(name, '') + ' (known: {_KNOWN})' }}; "
    "local __one(__i) =\n"
)
_OFFSET = PRELUDE.count("\n")


@dataclass(frozen=True)
class Program:
    """One template: its file, text and folder (the only place it may import
    from). A template sent as text (over HTTP) has a name for a path and no
    folder: it may import nothing, so it never reads the server's files."""

    path: Path
    source: str
    #: False for a template given as text: no folder, every import refused.
    from_file: bool = True

    @property
    def name(self) -> str:
        """The template's name in the engine's messages."""
        return str(self.path)

    @property
    def folder(self) -> Path | None:
        return self.path.absolute().parent if self.from_file else None

    def batch(self, count: int) -> str:
        """The program that makes count documents, in order."""
        return (
            f"{PRELUDE}{self.source}\n;\n[__one(i) for i in __std.range(1, {count})]\n"
        )

    def template_line(self, line: int) -> int | None:
        """The template's line for a line of a batch program; None for the
        program's own lines."""
        line -= _OFFSET
        if 1 <= line <= self.source.count("\n") + 1:
            return line
        return None


@dataclass(frozen=True)
class Failure:
    """An evaluation error: where in the template, and the message (one line).
    `elsewhere` names an imported file's position when the template has none."""

    line: int | None
    column: int | None
    message: str
    elsewhere: str = ""


_POSITION = r"(?:(\d+):(\d+)(?:-\d+)?|\((\d+):(\d+)\)-\(\d+:\d+\))"
_FRAME = re.compile(r"^\t(.+?):" + _POSITION + r"(?:\t|$)")


def read_failure(
    program: Program,
    text: str,
    native_error: str | None = None,
    import_error: str | None = None,
) -> Failure:
    """The engine's error text as a Failure in the template's terms.

    Static errors read 'file:L:C message', runtime errors 'RUNTIME ERROR:
    message' then a frame a line ('\\tfile:L:C-C2\\tname'), innermost first."""
    if text.startswith("RUNTIME ERROR: "):
        body, _, trace = text.removeprefix("RUNTIME ERROR: ").partition("\n\t")
        frames = [
            match.groups()
            for match in map(_FRAME.match, ("\t" + trace).splitlines())
            if match
        ]
        message = body
    else:
        head, _, _ = text.partition("\n")
        static = re.match(r"^(.+?):" + _POSITION + r" (.*)$", head)
        frames = [static.groups()[:5]] if static else []
        message = static.group(6) if static else head
    message = _clearer(" ".join(message.split()), native_error, import_error)
    for file, *numbers in frames:
        line, column = _position(numbers)
        if file == program.name and program.template_line(line) is not None:
            return Failure(program.template_line(line), column, message)
        if file == program.name and line > _OFFSET and not text.startswith("RUNTIME"):
            # A syntax error in the batch's own lines after the template: the
            # template stopped short (`{ a: `), so name its last line.
            last = program.source.rstrip("\n").split("\n")
            return Failure(
                len(last),
                len(last[-1]) + 1,
                f"the template ends before it is complete ({message})",
            )
    for file, *numbers in frames:
        line, column = _position(numbers)
        if file != program.name and not file.startswith("<"):
            folder = program.folder
            shown = os.path.relpath(file, folder) if folder is not None else file
            return Failure(None, None, message, f"{shown}:{line}:{column}")
    return Failure(None, None, message)


def _position(numbers: list[str | None]) -> tuple[int, int]:
    line, column = numbers[0] or numbers[2], numbers[1] or numbers[3]
    return int(line or 0), int(column or 0)


def _clearer(message: str, native_error: str | None, import_error: str | None) -> str:
    """The engine's words made specific: a native function's own message,
    the nearest names of an unknown get_rand_data() key."""
    if message.startswith("failed to execute native callback") and native_error:
        return native_error
    if message.startswith("importer error: "):
        return import_error or message.removeprefix("importer error: ")
    missing = re.fullmatch(r"Field does not exist: (.+)", message)
    if missing:
        return message + nearest(missing.group(1), RAND_DATA_KEYS)
    unknown = re.match(r"unknown native function \"(.*)\" \(known", message)
    if unknown:
        name = unknown.group(1)
        hint = nearest(name, NATIVE_PARAMS) or f" (known: {', '.join(NATIVE_PARAMS)})"
        return f"unknown native function '{name}'{hint}"
    return message
