"""A name -> item registry shared by every pluggable kind (providers, journeys, ...)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from datagen.errors import ProviderError, RegistryError, UnknownName

T = TypeVar("T")


class Registry(Mapping[str, T], Generic[T]):
    """Items by name, with the origin of each; plugins come in by entry point."""

    def __init__(self, kind: str, entry_point_group: str) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._entry_points_loaded = False

    def add(self, name: str, item: T, origin: str) -> None:
        """Register item; raises RegistryError when another item has the name."""
        existing = self._items.get(name)
        if existing is not None and existing is not item:
            if _same_definition(existing, item):
                return
            raise RegistryError(
                f"two {self.kind}s are named '{name}': "
                f"{self._origins[name]} and {origin}"
            )
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

    def get(self, name: str) -> T:  # type: ignore[override]
        """The item called name; raises UnknownName listing what exists."""
        self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            raise UnknownName(self.kind, name, self._items) from None

    def origin(self, name: str) -> str:
        """Where the item called name was defined (module or plugin)."""
        return self._origins[name]

    def load_entry_points(self) -> None:
        """Import the plugins that declare this registry's entry-point group, once."""
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for entry_point in entry_points(group=self.entry_point_group):
            try:
                item = entry_point.load()
            except Exception as exc:  # a broken plugin must not hide the rest
                raise RegistryError(
                    f"plugin {entry_point.value!r} ({self.entry_point_group}) "
                    f"failed to load: {exc}"
                ) from exc
            name = getattr(item, "name", entry_point.name)
            self.add(name, item, origin=f"plugin {entry_point.value}")

    @contextmanager
    def isolated(self) -> Iterator[Registry[T]]:
        """Let a test register freely; restores the previous contents on exit."""
        items, origins = dict(self._items), dict(self._origins)
        try:
            yield self
        finally:
            self._items, self._origins = items, origins

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __iter__(self) -> Iterator[str]:
        self.load_entry_points()
        return iter(sorted(self._items))

    def __len__(self) -> int:
        self.load_entry_points()
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        self.load_entry_points()
        return name in self._items


def _same_definition(first: object, second: object) -> bool:
    """True when a module imported twice (as plugin and by path) re-registers."""
    return getattr(first, "__qualname__", None) == getattr(
        second, "__qualname__", object()
    ) and getattr(first, "__module__", None) == getattr(second, "__module__", None)
