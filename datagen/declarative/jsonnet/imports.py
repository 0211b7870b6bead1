"""What a template may import: a file's template, files of its own folder;
a template given as text (over HTTP), nothing. Import callbacks for the
engine, called in the evaluating child process (evaluator.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from datagen.declarative.jsonnet.program import Program


def importer_of(program: Program, refused: list[str]) -> Any:
    """The program's import callback; each refusal's message goes to refused."""
    folder = program.folder
    if folder is None:
        return refusing_importer(refused)
    return confined_importer(folder, refused)


def refusing_importer(refused: list[str]) -> Any:
    """The import callback of a template given as text: it has no folder,
    and a template sent over HTTP must never read the server's files."""

    def load(base: str, relative: str) -> tuple[str, bytes]:
        refused.append(
            f"import {_quoted(relative)}: a template sent over HTTP cannot import files"
        )
        raise RuntimeError("refused")  # short: see confined_importer

    return load


def confined_importer(folder: Path, refused: list[str]) -> Any:
    """An import callback that reads files in the template's folder only:
    no absolute paths, no '..' out of it, no symbolic link pointing out.
    Each refusal's message is kept in refused (the binding may garble it)."""
    root = folder.resolve()

    def load(base: str, relative: str) -> tuple[str, bytes]:
        try:
            return _load(base, relative)
        except RuntimeError as exc:
            refused.append(str(exc))
            # A short message: the binding garbles long ones (bytes of freed
            # memory after it, or text that is no UTF-8); read_failure puts
            # the kept one back.
            raise RuntimeError("refused") from None

    def _load(base: str, relative: str) -> tuple[str, bytes]:
        if os.path.isabs(relative):
            raise RuntimeError(
                f"import {_quoted(relative)}: absolute paths are not allowed "
                "(imports are read from the template's folder only)"
            )
        candidate = Path(base or root) / relative
        resolved = candidate.resolve()
        if not resolved.is_relative_to(root):
            raise RuntimeError(
                f"import {_quoted(relative)} is outside the template's folder {folder}"
            )
        try:
            return str(resolved), resolved.read_bytes()
        except OSError as exc:
            raise RuntimeError(
                f"import {_quoted(relative)} cannot be read: {exc.strerror or exc}"
            ) from None

    return load


def _quoted(path: str) -> str:
    """An imported path as shown in a one-line message."""
    return "'" + path.replace("\r", "\\r").replace("\n", "\\n") + "'"
