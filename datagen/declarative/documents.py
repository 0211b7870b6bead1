"""`kind: document` declarations compiled into DocumentProvider classes.

The class is made unregistered: the loader registers it under its provider
name with the file as origin. Its documents come from the compiled fields
(fields.py), numbered by the provider's `index` (the run sets it to each
block's first), so `sequence` is the same whatever --workers.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from mimesis import Field

from datagen.declarative.distributions import field_distributions
from datagen.declarative.fields import Context, FieldsMaker, compile_fields
from datagen.declarative.kinds.base import shown
from datagen.declarative.problems import Problems, Source, nearest, unknown_keys
from datagen.documents import LOCALES, DocumentProvider, provider_failures
from datagen.errors import ConfigError, ProviderError
from datagen.faults import parse_faults
from datagen.references import Reference
from datagen.timefmt import DEFAULT_START

T = TypeVar("T")

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
#: The locale a run passes when none is asked for (the CLI's --locale default).
RUN_DEFAULT_LOCALE = "en"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+")


class DeclaredDocument(DocumentProvider, abstract=True):
    """A document provider declared in a file: `maker` makes each document."""

    maker: ClassVar[FieldsMaker]
    #: The declaration's `locale:`; used unless the run asks for another.
    declared_locale: ClassVar[str | None] = None

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

    def create_schema(self, _: Field) -> dict[str, Any]:
        return self.generate_many(1)[0]

    def generate_many(self, count: int) -> list[dict[str, Any]]:
        """count documents, numbered from self.index on."""
        ctx, make = self._context, self.maker
        ctx.field, ctx.random, ctx.now = self.field, self.random, self.now
        ctx.stream, ctx.pickers = self.name, self._pickers
        start = self.index
        documents = []
        try:
            with provider_failures(f"document provider '{self.name}'", self.now):
                for offset in range(count):
                    ctx.index = start + offset
                    documents.append(make(ctx))
        except ProviderError as exc:
            if str(exc).startswith("document provider "):
                raise
            raise ProviderError(f"document provider '{self.name}': {exc}") from exc
        finally:
            self.index = start + len(documents)
        return documents


def provider_name(source: Source, problems: Problems) -> str | None:
    """The declaration's `provider:` (the file's name when it has none),
    checked to be letters, digits, '_' and '-'."""
    data = source.data
    name = data.get("provider")
    if name is None and source.file is not None:
        name = source.file.stem
    if name is None:
        problems.add(("provider",), "is required")
        return None
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name):
        problems.add(
            ("provider",),
            f"{name!r} is not a provider name: letters, digits, '_' and '-' only",
        )
        return None
    return name


def declared_locale(data: Mapping[str, Any], problems: Problems) -> str | None:
    """The declaration's `locale:`, checked against Mimesis' locales."""
    locale = data.get("locale")
    if locale is None:
        return None
    if not isinstance(locale, str) or locale not in LOCALES:
        problems.add(
            ("locale",),
            f"unknown locale {locale!r}{nearest(str(locale), LOCALES)}",
        )
        return None
    return locale


def description_of(data: Mapping[str, Any], problems: Problems) -> str:
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.add(("description",), "must be text")
        return ""
    return description.strip()


def class_name(name: str) -> str:
    """'starfleet_account-v2' -> 'StarfleetAccountV2'."""
    return "".join(part.capitalize() for part in re.split(r"[_-]+", name)) or "Declared"


@dataclass(frozen=True)
class Header:
    """What every declaration has at its top: checked, with its data."""

    data: Mapping[str, Any]
    name: str | None
    locale: str | None
    description: str


def read_header(
    source: Source, problems: Problems, kind: str, keys: Sequence[str], body: str
) -> Header | None:
    """The top of a `kind:` declaration whose keys are `keys` (`body` names its
    main one in the message for a file that is not a mapping)."""
    data = source.data
    if not isinstance(data, Mapping):
        problems.add((), f"must be a mapping of keys (provider:, {body}:, ...)")
        return None
    unknown_keys(data, keys, (), problems)
    given = data.get("kind", "document")
    if given != kind:
        problems.add(("kind",), f"must be '{kind}' here, not {given!r}")
    return Header(
        data,
        provider_name(source, problems),
        declared_locale(data, problems),
        description_of(data, problems),
    )


def declared_class(
    base: type[T], source: Source, header: Header, **attributes: Any
) -> type[T]:
    """An unregistered subclass of base named after the declaration, with
    its name, description, locale and `attributes`."""
    assert header.name is not None
    namespace = {
        "name": header.name,
        "description": header.description,
        "declared_locale": header.locale,
        "__module__": base.__module__,
        "__doc__": header.description or f"Declared in {source.file}.",
        **attributes,
    }
    cls = types.new_class(
        class_name(header.name),
        (base,),
        {"abstract": True},
        lambda body: body.update(namespace),
    )
    # Unique per file, so two files never look like one definition imported twice.
    cls.__qualname__ = f"{cls.__name__}[{source.file or 'declared'}]"
    return cls


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
