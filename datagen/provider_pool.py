"""Document providers shared by the journeys of a process, reseeded for each one."""

from __future__ import annotations

from datetime import datetime

from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider


class ProviderPool:
    """One instance per (provider class, locale): Mimesis set-up costs milliseconds
    (it parses the locale's data), reseeding microseconds.

    A borrower gets the instance in the state a fresh one seeded with `seed` would
    have after `drawn` documents, so sharing never changes what it generates,
    even when two borrowers take turns.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[type[DocumentProvider], str], _Entry] = {}

    def take(
        self,
        name: str,
        locale: str,
        seed: int,
        now: datetime,
        owner: object,
        drawn: int,
    ) -> DocumentProvider:
        """The provider called name for owner, who has drawn `drawn` documents
        from it so far; UnknownName if there is none."""
        provider_class = DOCUMENT_PROVIDERS.get(name)
        key = (provider_class, locale)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(provider_class(locale, seed, now))
        elif entry.owner is not owner or drawn == 0:
            entry.instance.reseed(seed)
            if drawn:  # another borrower came between: catch up
                entry.instance.generate_many(drawn)
        entry.owner = owner
        return entry.instance


class _Entry:
    __slots__ = ("instance", "owner")

    def __init__(self, instance: DocumentProvider) -> None:
        self.instance = instance
        self.owner: object = None


#: The process's pool; worker processes fork with a copy, which is just as good.
PROVIDER_POOL = ProviderPool()
