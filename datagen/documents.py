"""DocumentProvider: one document described as a Mimesis schema, their registry,
and the pool of instances that journeys share."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from mimesis import Field
from mimesis.locales import Locale

from datagen.timefmt import DEFAULT_START, isoformat
from datagen.errors import (
    ConfigError,
    DatagenError,
    ProviderError,
    UnknownName,
    first_line,
)
from datagen.references import (
    Picker,
    Reference,
    parse_skew,
    picker_for,
    references_of,
)
from datagen.registry import Registered, Registry
from datagen.seeding import derive_seed, random_uuid

DOCUMENT_PROVIDERS: Registry[type[DocumentProvider]] = Registry(
    "document provider",
    "datagen.document_providers",
    builtins=("document_providers",),
    after_load=("datagen.declarative.loader:load_documents",),
)
LOCALES = tuple(locale.value for locale in Locale)


def to_locale(code: str) -> Locale:
    """The Mimesis locale for code; UnknownName listing the valid ones."""
    try:
        return Locale(code)
    except ValueError:
        raise UnknownName("locale", code, LOCALES) from None


class DocumentProvider(Registered, abstract=True):
    """One kind of document. Subclasses set name and description and write
    create_schema(); defining the subclass registers it.

    Randomness comes only from self.field (Mimesis) and self.random, both seeded,
    and time only from self.now, so a seed repeats every document.
    """

    registry = DOCUMENT_PROVIDERS
    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: The field that identifies a document (None: the first top-level field
    #: named `id` or ending in `_id`).
    key_field: ClassVar[str | None] = None
    #: {field: "stream.field"}: fields holding a key of another stream of the
    #: run, drawn with self.ref (the run makes that stream first).
    references: ClassVar[Mapping[str, str]] = {}
    #: {field: (lo, hi)}: that reference is one-to-many: each parent gets lo
    #: to hi documents of this stream, whose count is their sum.
    records_per: ClassVar[Mapping[str, Sequence[int]]] = {}
    #: A `faults:` section's spec, in --faults syntax (declared providers).
    declared_faults: ClassVar[str | None] = None

    def __init__(
        self, locale: str = "en", seed: int = 0, now: datetime = DEFAULT_START
    ) -> None:
        self.locale = locale
        self.now = now
        self.field = Field(to_locale(locale), seed=seed)
        self.random = random.Random(derive_seed(seed, "random"))
        #: The run index of the document being made (a run sets it to its
        #: block's first); providers that number documents read it.
        self.index = 0
        self._pickers: dict[tuple[Any, ...], Picker] = {}

    def reseed(self, seed: int) -> None:
        """Start the provider's random streams again from seed."""
        self.field.reseed(seed)
        self.random.seed(derive_seed(seed, "random"))
        self.index = 0
        self._pickers.clear()  # a new block may belong to another run

    @classmethod
    def stream_references(cls) -> tuple[Reference, ...]:
        """The class's references and records_per as References; ConfigError
        for a bad one. Declared providers give theirs with their skews."""
        return references_of(cls.name, cls.references, cls.records_per)

    def create_schema(self, _: Field) -> dict[str, Any]:
        """One document's fields, drawn with the Mimesis field `_`."""
        raise NotImplementedError

    def generate(self) -> dict[str, Any]:
        """One document; a schema that raises becomes a ProviderError."""
        return self.generate_many(1)[0]

    def generate_many(self, count: int) -> list[dict[str, Any]]:
        """count documents, in order, numbered from self.index on."""
        schema, field = self.create_schema, self.field
        start = self.index
        documents = []
        try:
            with provider_failures(f"document provider '{self.name}'", self.now):
                for offset in range(count):
                    self.index = start + offset
                    documents.append(schema(field))
        finally:
            self.index = start + len(documents)
        return documents

    # Helpers for schemas: seeded, and relative to self.now rather than the wall clock.

    def uuid(self) -> str:
        """A version-4 uuid from the provider's seeded RNG."""
        return random_uuid(self.random)

    def date_of_birth(self, min_age: int = 18, max_age: int = 90) -> str:
        """An ISO date at least min_age and under max_age years before now."""
        today = self.now.date()
        latest = _years_before(today, min_age)
        earliest = _years_before(today, max_age) + timedelta(days=1)
        days = self.random.randint(0, (latest - earliest).days)
        return (earliest + timedelta(days=days)).isoformat()

    def timestamp_within(self, seconds_before: int) -> str:
        """An ISO timestamp in the seconds_before seconds up to now."""
        offset = self.random.randint(0, seconds_before)
        return isoformat(self.now - timedelta(seconds=offset))

    def ref(
        self,
        stream: str,
        field: str = "id",
        *,
        zipf: float | None = None,
        skew: str | None = None,
        histogram: Sequence[Sequence[float]] | None = None,
    ) -> Any:
        """field of a record of stream, made earlier in the same run: drawn
        uniformly, by Zipf's law (zipf=1.1), 80/20 (skew="80/20") or a
        histogram ([[share of parents, share of records], ...]); the parent
        records_per assigns, when this stream has records_per to stream.
        stream.field must be among the class's `references`. ConfigError
        when stream is not in the run."""
        shape = None if histogram is None else tuple(map(tuple, histogram))
        key = (stream, field, zipf, skew, shape)
        picker = self._pickers.get(key)
        if picker is None:
            try:
                chosen = parse_skew(zipf=zipf, skew=skew, histogram=histogram)
            except ConfigError as exc:
                raise ConfigError(f"provider '{self.name}': ref(): {exc}") from None
            picker = self._pickers[key] = picker_for(self.name, stream, field, chosen)
        return picker(self.random, self.index)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


@contextmanager
def provider_failures(who: str, now: datetime) -> Iterator[None]:
    """A provider's own code failing: a time pushed out of range names --start
    (bad input); anything else is one line naming `who` (a ProviderError)."""
    try:
        yield
    except DatagenError:
        raise
    except OverflowError as exc:
        raise start_out_of_range(now, who, exc) from exc
    except Exception as exc:
        raise ProviderError(f"{who} failed: {type(exc).__name__}: {exc}") from exc


def start_out_of_range(now: datetime, who: str, exc: Exception) -> ConfigError:
    """The error for a time pushed past year 9999 (or before year 1): --start
    is the input at fault, so it is named rather than the provider."""
    return ConfigError(
        f"--start {isoformat(now)}: {who} made a time out of range "
        f"(years 1 to 9999): {first_line(exc)}"
    )


def create_provider(
    name: str, locale: str = "en", seed: int = 0, now: datetime = DEFAULT_START
) -> DocumentProvider:
    """An instance of the provider called name; UnknownName if there is none."""
    return DOCUMENT_PROVIDERS.get(name)(locale=locale, seed=seed, now=now)


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
