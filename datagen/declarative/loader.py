"""Declaration files found in folders, registered beside the Python providers.

Folders: ./providers/ (when it exists), DATAGEN_PROVIDERS_DIR's (`:` between)
and --providers-dir's (use_folders). Each registry reads them when it loads
(its after-load hook: load_documents, load_journeys, load_simulations), each
folder once, only the files of its kind. A file with problems, or whose name
another item has, is a load failure of its name, like a broken plugin: the
rest works, `list` shows it BROKEN, its lookup raises its first problem.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen.declarative.problems import DeclarationError, Problems, Source, nearest
from datagen.declarative.source import DATA_SUFFIXES, read_source
from datagen.errors import ConfigError, first_line
from datagen.registry import Registry

#: The environment variable naming more folders, separated by ':'.
ENVIRONMENT = "DATAGEN_PROVIDERS_DIR"
#: The folder of the working directory read by every command.
DEFAULT_FOLDER = Path("providers")
TEMPLATE_SUFFIX = ".jsonnet"
SUFFIXES = (*DATA_SUFFIXES, TEMPLATE_SUFFIX)
KINDS = ("document", "journey", "simulation")


@dataclass(frozen=True)
class Declaration:
    """One file as read: its kind and name, and its source (None for a
    template, or a file that could not be read: problems then says why)."""

    file: Path
    kind: str
    name: str
    source: Source | None
    problems: Problems


@dataclass(frozen=True)
class Declared:
    """One file compiled: the item to register, or the problems it has."""

    declaration: Declaration
    item: Any | None

    @property
    def problems(self) -> Problems:
        return self.declaration.problems


def default_registries() -> dict[str, Registry[Any]]:
    """kind -> the registry it goes to (imported here: they sit beside us)."""
    from datagen.documents import DOCUMENT_PROVIDERS
    from datagen.engine.model import SIMULATIONS
    from datagen.journeys import JOURNEY_PROVIDERS

    return {
        "document": DOCUMENT_PROVIDERS,
        "journey": JOURNEY_PROVIDERS,
        "simulation": SIMULATIONS,
    }


def declaration_files(folder: Path) -> list[Path]:
    """The declaration files directly in folder, by name (hidden ones left)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(
        path
        for path in entries
        if path.suffix in SUFFIXES and not path.name.startswith(".") and path.is_file()
    )


def read_declaration(file: Path) -> Declaration:
    """The file read (not compiled): its kind and name, problems so far. A
    template is a document named after its file; a data file's kind is its
    `kind:` (document when absent), its name its `provider:`."""
    problems = Problems(Source(file, None))
    if file.suffix == TEMPLATE_SUFFIX:
        return Declaration(file, "document", file.stem, None, problems)
    try:
        source = read_source(file, problems)
    except Exception as exc:  # e.g. yaml's ReaderError for a control character
        problems.add((), f"cannot be read: {first_line(exc)}")
        source = None
    data = source.data if source is not None else None
    kind, name = "document", file.stem
    if isinstance(data, Mapping):
        given = data.get("kind", "document")
        if given in KINDS:
            kind = str(given)
        else:
            problems.add(
                ("kind",),
                f"unknown kind {given!r}: one of {', '.join(KINDS)}"
                + nearest(str(given), KINDS),
            )
        if isinstance(data.get("provider"), str) and data["provider"]:
            name = data["provider"]
    elif source is not None:
        problems.add((), "must be a mapping of keys (provider:, fields:, ...)")
        source = None
    return Declaration(file, kind, name, source, problems)


def compile_declaration(declaration: Declaration) -> Declared:
    """The declaration compiled by its kind's compiler; item None when any
    problem was found (all of them are in declaration.problems)."""
    problems = declaration.problems
    item: Any = None
    if declaration.file.suffix == TEMPLATE_SUFFIX:
        from datagen.declarative.jsonnet import jsonnet_document

        item = jsonnet_document(declaration.file, problems)
    elif declaration.source is not None and not problems:
        item = compiler(declaration.kind)(declaration.source, problems)
    return Declared(declaration, None if problems else item)


def compiler(kind: str) -> Callable[[Source, Problems], Any]:
    """The compiler of a kind (imported when first needed)."""
    if kind == "journey":
        from datagen.declarative.journeys import declared_journey

        return declared_journey
    if kind == "simulation":
        from datagen.declarative.simulations import declared_simulation

        return declared_simulation
    from datagen.declarative.documents import declared_document

    return declared_document


def declare(file: Path) -> Declared:
    return compile_declaration(read_declaration(file))


# What has been read and registered, so each folder is read once and
# registered once per kind, whichever registry loads first.
_lock = threading.RLock()
_given: list[Path] = []  # --providers-dir folders, in the order given
_read: dict[Path, list[Declaration]] = {}  # folder (resolved) -> its files
# id(registry) -> (the registry, kept so its id is never reused; its folders)
_registered: dict[int, tuple[Registry[Any], set[Path]]] = {}
_hooked: set[str] = set()  # kinds whose default registry has run its hook


def folders(environ: Mapping[str, str] | None = None) -> list[Path]:
    """./providers (when it exists), DATAGEN_PROVIDERS_DIR's folders, then the
    --providers-dir ones; each once."""
    environ = os.environ if environ is None else environ
    found = [DEFAULT_FOLDER] if DEFAULT_FOLDER.is_dir() else []
    found += [Path(part) for part in environ.get(ENVIRONMENT, "").split(":") if part]
    found += _given
    unique: dict[Path, Path] = {}
    for folder in found:
        unique.setdefault(folder.resolve(), folder)
    return list(unique.values())


def register_folder(folder: Path, kind: str, registry: Registry[Any]) -> None:
    """Register the files of kind in folder into registry, once per folder
    and registry; every other problem is recorded as a load failure."""
    key = folder.resolve()
    with _lock:
        done = _registered.setdefault(id(registry), (registry, set()))[1]
        if key in done:
            return
        done.add(key)
        if key not in _read:
            _read[key] = [read_declaration(f) for f in declaration_files(folder)]
        for declaration in _read[key]:
            if declaration.kind != kind:
                continue
            try:
                declared = compile_declaration(declaration)
            except Exception as exc:  # a compiler's bug must not hide the rest
                registry.fail(declaration.name, str(declaration.file), exc)
                continue
            register(declared, registry)


def register(declared: Declared, registry: Registry[Any]) -> None:
    """Add the item under its name with its file as origin; a file with
    problems, or a name another file (or module) has, becomes a failure."""
    declaration = declared.declaration
    name, origin = declaration.name, str(declaration.file)
    if declared.item is None:
        registry.fail(
            name, origin, str(DeclarationError(declared.problems)), bad_input=True
        )
        return
    if name in registry.failures:
        return  # broken already (a clash): stays broken
    if name in registry:
        if not same_file(registry.origin(name), declaration.file):
            registry.fail(name, origin, registry.clash(name, origin), bad_input=True)
        return
    registry.add(name, declared.item, origin)


def same_file(origin: str, file: Path) -> bool:
    """True when origin (a file or a module name) is file."""
    return Path(origin).resolve() == file.resolve()


def _load_kind(kind: str) -> None:
    registry = default_registries()[kind]
    with _lock:
        _hooked.add(kind)
        for folder in folders():
            register_folder(folder, kind, registry)


def load_documents() -> None:
    """DOCUMENT_PROVIDERS' after-load hook."""
    _load_kind("document")


def load_journeys() -> None:
    """JOURNEY_PROVIDERS' after-load hook."""
    _load_kind("journey")


def load_simulations() -> None:
    """SIMULATIONS' after-load hook."""
    _load_kind("simulation")


def use_folders(paths: Iterable[Path]) -> None:
    """Read these folders too (--providers-dir): at once into the registries
    already loaded, the others when they load. ConfigError for one that is
    not a folder."""
    paths = list(paths)
    for path in paths:
        if not path.is_dir():
            what = "does not exist" if not path.exists() else "is not a folder"
            raise ConfigError(f"--providers-dir '{path}' {what}")
    with _lock:
        known = {folder.resolve() for folder in _given}
        _given.extend(path for path in paths if path.resolve() not in known)
        registries = default_registries()
        for kind in sorted(_hooked):
            for path in paths:
                register_folder(path, kind, registries[kind])


def use_template(path: Path) -> str:
    """Register a Jsonnet template (--template) as a document provider named
    after its file; its name. DeclarationError for its first problem,
    ConfigError when another provider has its name."""
    if path.suffix != TEMPLATE_SUFFIX:
        raise ConfigError(f"--template '{path}' is not a .jsonnet file")
    if not path.is_file():
        raise ConfigError(f"--template '{path}' does not exist")
    from datagen.declarative.jsonnet import check_template

    problems = Problems(Source(path, None))
    check_template(path, problems)  # evaluated once: its errors now, not mid-run
    problems.raise_if_any()
    declared = declare(path)
    declared.problems.raise_if_any()
    registry = default_registries()["document"]
    name, origin = path.stem, str(path)
    with _lock:
        if name in registry and not same_file(registry.origin(name), path):
            raise ConfigError(registry.clash(name, origin))
        if name not in registry:
            registry.add(name, declared.item, origin)
    return name
