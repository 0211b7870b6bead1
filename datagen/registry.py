"""A name -> item registry shared by every pluggable kind (providers, journeys, ...).

A registry fills itself on first lookup: it imports its built-in modules (by
name, so this contract layer never imports the packages that sit above it),
then the plugins of its entry-point group, then runs its after-load hooks. A
module or plugin that fails to load is recorded as one line and skipped, so
the rest keeps working; looking its name up raises that line.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from datagen.errors import (
    ConfigError,
    ProviderError,
    RegistryError,
    UnknownName,
    first_line,
)

T = TypeVar("T")


@dataclass(frozen=True)
class LoadFailure:
    """A built-in module or plugin that could not be loaded, as `list` shows it."""

    name: str  # the name it would have had: module or entry-point name
    origin: str  # "plugin pkg:Class" or "file /path/to/module.py"
    error: str  # "ModuleNotFoundError: No module named 'nope'": one line
    #: A declaration file the user wrote is wrong (bad input, exit 2), not
    #: code that failed to import.
    bad_input: bool = False

    def message(self, kind: str, group: str) -> str:
        """The one line a lookup of the broken name raises."""
        if self.origin.startswith("plugin "):
            what = f"plugin {self.origin.removeprefix('plugin ')!r} ({group})"
        else:
            what = f"{kind} {self.origin}"
        return f"{what} failed to load: {self.error}"


class Registry(Mapping[str, T], Generic[T]):
    """Items by name, with the origin of each; built-ins come in by module name,
    plugins by entry point, both on first lookup."""

    def __init__(
        self,
        kind: str,
        entry_point_group: str,
        builtins: Sequence[str] = (),
        after_load: Sequence[str] = (),
    ) -> None:
        """builtins: modules (or packages, whose every module is imported) that
        register items when imported; after_load: "module:function" hooks run
        once everything is loaded (e.g. to derive items from another registry)."""
        self.kind = kind
        self.entry_point_group = entry_point_group
        self.builtins = tuple(builtins)
        self.after_load = tuple(after_load)
        self._items: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._failures: dict[str, LoadFailure] = {}
        self._state = "new"  # "new" -> "loading" -> "loaded"
        self._lock = threading.RLock()

    def add(self, name: str, item: T, origin: str) -> None:
        """Register item; raises RegistryError when another item has the name.
        Never loads anything: built-in modules call it while being imported."""
        existing = self._items.get(name)
        if existing is not None and existing is not item:
            if _same_definition(existing, item):
                return
            raise RegistryError(self.clash(name, origin))
        self._items[name] = item
        self._origins[name] = origin

    def replace(self, name: str, item: T, origin: str) -> None:
        """Register item under name in place of what had it: a long-lived
        process (a cluster's worker) taking a declaration edited since."""
        with self._lock:
            self._failures.pop(name, None)
            self._items[name] = item
            self._origins[name] = origin

    def add_class(self, cls: T) -> None:
        """Register a class under its own `name` attribute (what subclassing a
        provider base does); ProviderError when the class sets none."""
        name = getattr(cls, "__dict__", {}).get("name")
        if not isinstance(name, str):
            qualname = getattr(cls, "__qualname__", repr(cls))
            raise ProviderError(f"{self.kind} {qualname} has no name")
        self.add(name, cls, origin=getattr(cls, "__module__", "?"))

    def __setitem__(self, name: str, item: T) -> None:
        """`registry[name] = cls`: the original tool's way to add a provider
        (`document_type_mapping[Invoice.name] = Invoice`). Defining the class
        registered it under its own name already, so that is a no-op; another
        name becomes a second name for it. ConfigError for anything but a
        class of this kind (a subclass of the base whose `registry` this is)."""
        if not isinstance(name, str) or not name:
            raise ConfigError(f"a {self.kind}'s name must be text, not {name!r}")
        if not isinstance(item, type) or getattr(item, "registry", None) is not self:
            shown = first_line(repr(item))[:60]
            raise ConfigError(
                f"{self.kind} '{name}': {shown} is not a {self.kind} class"
            )
        if item.__dict__.get("registry") is self:
            raise ConfigError(
                f"{self.kind} '{name}': {item.__name__} is the base class; "
                "register a subclass of it"
            )
        self.add(name, item, origin=getattr(item, "__module__", "?"))

    def get(self, name: str) -> T:  # type: ignore[override]
        """The item called name; RegistryError with the one-line reason when its
        module or plugin (or the built-in package) failed to load; UnknownName
        listing what exists."""
        self.load()
        try:
            return self._items[name]
        except KeyError:
            pass
        failure = self._failures.get(name)
        if failure is None:
            # A built-in package whose __init__ failed may have held the name.
            packages = (module.rsplit(".", 1)[-1] for module in self.builtins)
            failure = next(filter(None, map(self._failures.get, packages)), None)
        if failure is not None:
            message = failure.message(self.kind, self.entry_point_group)
            if failure.bad_input:
                raise ConfigError(message)
            raise RegistryError(message)
        raise UnknownName(self.kind, name, self._items) from None

    def origin(self, name: str) -> str:
        """Where the item called name was defined (module or plugin)."""
        return self._origins[name]

    @property
    def failures(self) -> Mapping[str, LoadFailure]:
        """Modules and plugins that failed to load, by name (loads first)."""
        self.load()
        return dict(sorted(self._failures.items()))

    def load(self) -> None:
        """Import the built-ins, then the plugins, then run the hooks; once.

        A lookup while loading (a module being imported looks a name up) sees
        what is registered so far instead of loading again.
        """
        if self._state != "new":
            return
        with self._lock:
            if self._state != "new":
                return
            self._state = "loading"
            try:
                for module in self.builtins:
                    self._import_builtin(module)
                self._load_plugins()
                for hook in self.after_load:
                    self._run_hook(hook)
            finally:
                self._state = "loaded"

    def load_entry_points(self) -> None:
        """Load built-ins and plugins now (see load); kept for callers that
        want the plugins read before the environment changes."""
        self.load()

    def _import_builtin(self, name: str) -> None:
        """Import module name and, for a package, each module in it separately,
        so one broken file is one failure."""
        package = self._import(name, name.rsplit(".", 1)[-1], _module_file(name))
        if package is None or not hasattr(package, "__path__"):
            return
        for info in pkgutil.iter_modules(package.__path__):
            file = Path(getattr(info.module_finder, "path", "")) / f"{info.name}.py"
            self._import(f"{name}.{info.name}", info.name, str(file))

    def _import(self, module: str, name: str, file: str) -> object | None:
        try:
            return importlib.import_module(module)
        except Exception as exc:  # a broken built-in must not hide the rest
            self._fail(name, f"module {module} ({file})", exc)
            return None

    def _run_hook(self, hook: str) -> None:
        module, _, function = hook.partition(":")
        try:
            getattr(importlib.import_module(module), function)()
        except Exception as exc:  # e.g. a name clash: keep what did load
            self._fail(hook, f"hook {hook}", exc)

    def _load_plugins(self) -> None:
        for entry_point in entry_points(group=self.entry_point_group):
            origin = f"plugin {entry_point.value}"
            try:
                item = entry_point.load()
                self.add(getattr(item, "name", entry_point.name), item, origin)
            except Exception as exc:  # a broken plugin must not hide the rest
                self._fail(entry_point.name, origin, exc)

    def clash(self, name: str, origin: str) -> str:
        """The message of an item from origin named like one registered."""
        return (
            f"two {self.kind}s are named '{name}': {self._origins[name]} and {origin}"
        )

    def fail(
        self, name: str, origin: str, error: str | Exception, bad_input: bool = False
    ) -> None:
        """Record name as failed to load (and no longer an item), as a broken
        plugin is: looking it up raises error (a ConfigError when bad_input),
        `list` shows it. For items loaded from outside (declaration files)
        found broken or clashing."""
        self._items.pop(name, None)
        self._origins.pop(name, None)
        if isinstance(error, Exception):
            error = _error_line(error)
        self._failures.setdefault(name, LoadFailure(name, origin, error, bad_input))

    def _fail(self, name: str, origin: str, exc: Exception) -> None:
        self._failures[name] = LoadFailure(name, origin, _error_line(exc))

    @contextmanager
    def isolated(self) -> Iterator[Registry[T]]:
        """Let a test register freely; restores the previous contents on exit.
        Loads first, so the built-ins are not among what is thrown away."""
        self.load()
        items, origins = dict(self._items), dict(self._origins)
        failures = dict(self._failures)
        try:
            yield self
        finally:
            self._items, self._origins = items, origins
            self._failures = failures

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __iter__(self) -> Iterator[str]:
        self.load()
        return iter(sorted(self._items))

    def __len__(self) -> int:
        self.load()
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._items


def _module_file(module: str) -> str:
    """The file module would be imported from, for messages; '?' when unknown."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return "?"
    return spec.origin if spec is not None and spec.origin else "?"


def _error_line(exc: Exception) -> str:
    """'ModuleNotFoundError: No module named 'nope'': what a failure shows."""
    text = first_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _same_definition(first: object, second: object) -> bool:
    """True when a module imported twice (as plugin and by path) re-registers."""
    return getattr(first, "__qualname__", None) == getattr(
        second, "__qualname__", object()
    ) and getattr(first, "__module__", None) == getattr(second, "__module__", None)


class Registered:
    """Base of a pluggable kind: defining a subclass registers it in the kind's
    `registry` under its `name`; `abstract=True` leaves a base unregistered."""

    registry: ClassVar[Registry[Any]]

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not abstract:
            cls.registry.add_class(cls)
