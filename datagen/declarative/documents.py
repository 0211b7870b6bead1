"""`kind: document` declarations compiled into DocumentProvider classes.

The class is made unregistered: the loader registers it under its provider
name with the file as origin. Its documents come from the compiled fields
(fields.py), numbered by the provider's `index` (the run sets it to each
block's first), so `sequence` is the same whatever --workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from mimesis import Field

from datagen.declarative.distributions import field_distributions
from datagen.declarative.fields import Context, FieldsMaker, compile_fields
from datagen.declarative.headers import RUN_DEFAULT_LOCALE, declared_class, read_header
from datagen.declarative.kinds.base import shown
from datagen.declarative.problems import Problems, Source
from datagen.documents import DocumentProvider, provider_failures
from datagen.errors import ConfigError, ProviderError
from datagen.faults import parse_faults
from datagen.references import Reference
from datagen.timefmt import DEFAULT_START

if TYPE_CHECKING:  # numpy and pyarrow: imported when a run asks for columns
    from datagen.declarative.columnar import ColumnsMaker
    from datagen.engine.columns.block import ColumnBlock

#: The keys of a document declaration.
DOCUMENT_KEYS = (
    "provider",
    "kind",
    "description",
    "locale",
    "fields",
    "faults",
    "$schema",
)


class DeclaredDocument(DocumentProvider, abstract=True):
    """A document provider declared in a file: `maker` makes each document."""

    maker: ClassVar[FieldsMaker]
    #: The declaration's `fields:`, for the columnar engine's compiler.
    fields_spec: ClassVar[Any] = None
    #: The declaration's `locale:`; used unless the run asks for another.
    declared_locale: ClassVar[str | None] = None
    #: The columnar makers compiled so far, by locale (each class its own).
    _columns_by_locale: ClassVar[dict[str, ColumnsMaker]]

    @classmethod
    def stream_references(cls) -> tuple[Reference, ...]:
        """Its fields' references to other streams, with their skews."""
        return cls.maker.references

    def __init__(
        self,
        locale: str = RUN_DEFAULT_LOCALE,
        seed: int = 0,
        now: datetime = DEFAULT_START,
    ) -> None:
        if self.declared_locale and locale == RUN_DEFAULT_LOCALE:
            locale = self.declared_locale
        super().__init__(locale, seed, now)
        self._context = Context(self.field, self.random, now)

    @classmethod
    def columns(cls, locale: str = RUN_DEFAULT_LOCALE) -> ColumnsMaker:
        """The columnar maker of the class's fields for a run in locale
        (compiled on first use: only columnar runs import numpy and Arrow)."""
        if cls.declared_locale and locale == RUN_DEFAULT_LOCALE:
            locale = cls.declared_locale
        made: dict[str, ColumnsMaker] = cls.__dict__.get("_columns_by_locale", {})
        if locale not in made:
            from datagen.declarative.columnar import compile_columns

            made[locale] = compile_columns(cls.fields_spec, locale, cls.maker)
            cls._columns_by_locale = made
        return made[locale]

    def make_block(
        self, start: int, count: int, seed: int, size: int = 0
    ) -> ColumnBlock:
        """Documents start .. start+count-1 as columns, drawn from seed as
        the first count of a block of `size` (so a short last block holds
        what a longer run's block does). Fields made per row draw from this
        provider's Mimesis field and RNG, reseeded from seed."""
        from datagen.declarative.columnar import BlockContext, RowFallback
        from datagen.engine.columns.block import head

        self.reseed(seed)
        ctx = self._context
        ctx.field, ctx.random, ctx.now = self.field, self.random, self.now
        ctx.stream, ctx.pickers = self.name, self._pickers
        rows = RowFallback(ctx)
        block = BlockContext(
            seed, start, max(size, count), self.now, rows, count, self.name
        )
        with self.failures():
            return head(self.columns(self.locale)(block), count)

    @contextmanager
    def failures(self) -> Iterator[None]:
        """A failure while making documents as one line naming the provider."""
        try:
            with provider_failures(f"document provider '{self.name}'", self.now):
                yield
        except ProviderError as exc:
            if str(exc).startswith("document provider "):
                raise
            raise ProviderError(f"document provider '{self.name}': {exc}") from exc

    def create_schema(self, _: Field) -> dict[str, Any]:
        return self.generate_many(1)[0]

    def generate_many(self, count: int) -> list[dict[str, Any]]:
        """count documents, numbered from self.index on."""
        ctx, make = self._context, self.maker
        ctx.field, ctx.random, ctx.now = self.field, self.random, self.now
        ctx.stream, ctx.pickers = self.name, self._pickers
        start = self.index
        documents: list[dict[str, Any]] = []
        try:
            with self.failures():
                for offset in range(count):
                    ctx.index = start + offset
                    documents.append(make(ctx))
        finally:
            self.index = start + len(documents)
        return documents


def declared_document(
    source: Source, problems: Problems
) -> type[DocumentProvider] | None:
    """The DocumentProvider class of a `kind: document` declaration,
    unregistered; None when it has problems (all added to problems)."""
    found = len(problems)
    header = read_header(source, problems, "document", DOCUMENT_KEYS, "fields")
    if header is None:
        return None
    data = header.data
    if "fields" not in data:
        problems.add(("fields",), "is required (the document's fields)")
        return None
    fields = data["fields"]
    if isinstance(fields, Mapping) and not fields:
        problems.add(("fields",), "has no fields")
    locale = header.locale or RUN_DEFAULT_LOCALE
    maker = compile_fields(fields, ("fields",), problems, locale, streams=True)
    faults = declared_faults(data, problems)
    if len(problems) > found or header.name is None:
        return None
    return declared_class(
        DeclaredDocument,
        source,
        header,
        maker=maker,
        fields_spec=fields,
        references=top_level_references(maker.references),
        declared_faults=faults,
        distributions=field_distributions(fields),
    )


def top_level_references(references: Sequence[Reference]) -> dict[str, str]:
    """{field: "stream.field"} of the references of top-level fields (the
    class attribute `references`; nested ones are only in the maker's)."""
    return {
        ref.field: ref.target
        for ref in references
        if "." not in ref.field and "[" not in ref.field
    }


def declared_faults(data: Mapping[str, Any], problems: Problems) -> str | None:
    """The declaration's `faults:` as --faults text, checked by the faults
    parser: text (`null=0.01,lag=10m`) or a mapping of kind to rate."""
    if "faults" not in data:
        return None
    given = data["faults"]
    if isinstance(given, Mapping):
        # YAML reads a bare `null:` key as None
        text = ",".join(
            f"{'null' if kind is None else kind}={rate}" for kind, rate in given.items()
        )
    elif isinstance(given, str):
        text = given
    else:
        problems.add(
            ("faults",),
            f"must be text (null=0.01,...) or kind: rate, not {shown(given)}",
        )
        return None
    try:
        return parse_faults(text, "").text()
    except ConfigError as exc:  # its message starts with the option: none here
        problems.add(("faults",), str(exc).lstrip(": "))
        return None
