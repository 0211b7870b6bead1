"""What a generator makes: an event's source (a Jsonnet template, a
declaration, a registered provider) compiled to a provider class, with the
canonical digest that makes equivalent generators one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from datagen.declarative.documents import declared_document
from datagen.declarative.jsonnet.canonical import canonical_digest
from datagen.declarative.jsonnet.text import template_document
from datagen.declarative.problems import DeclarationError, Problems
from datagen.declarative.source import read_source
from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider
from datagen.errors import ConfigError, UnknownName, first_line
from datagen.service.requests import EventSpec, RequestError, bad

#: How problems of a request's text are named ("template:12:5: ...").
TEMPLATE_NAME = "template"
DECLARATION_NAME = Path("declaration.yaml")


@dataclass(frozen=True)
class Source:
    """A compiled event source."""

    provider_class: type[DocumentProvider]
    #: Equal for equivalent sources (keys reordered, comments, whitespace).
    digest: str
    #: How status and the studio name it.
    label: str


def compile_source(
    event: EventSpec,
    instance_id: str | None,
    checked: bool = False,
    digested: bool = True,
) -> Source:
    """event's source compiled and checked (a template is evaluated once);
    RequestError(400) with the problem's line and column when it is broken.
    checked: it was compiled before (in the service, before its generator's
    process started), so a template is neither evaluated nor digested again.
    digested=False: no id is needed (a preview), so a template's canonical
    digest (an evaluation of its own) is left out."""
    where = event.where
    try:
        if event.form in ("schema", "template"):
            return _template(event, instance_id, checked, digested and not checked)
        if event.form == "declaration":
            return _declaration(event)
        return _provider(event.text)
    except DeclarationError as exc:
        raise bad(f"{where}: {exc}") from None
    except UnknownName as exc:
        raise bad(f"{where}: {exc}") from None
    except ConfigError as exc:
        raise bad(f"{where}: {first_line(exc)}") from None


def _template(
    event: EventSpec, instance_id: str | None, checked: bool, digested: bool
) -> Source:
    problems = Problems()
    dataset = event.dataset or None
    provider_class = template_document(
        TEMPLATE_NAME, event.text, problems, dataset, instance_id, check=not checked
    )
    problems.raise_if_any()
    assert provider_class is not None
    digest = canonical_digest(event.text, dataset, instance_id) if digested else ""
    return Source(provider_class, f"jsonnet:{digest}", "Jsonnet template")


def _declaration(event: EventSpec) -> Source:
    problems = Problems()
    source = read_source(DECLARATION_NAME, problems, text=event.text)
    provider_class = declared_document(source, problems) if source else None
    problems.raise_if_any()
    if provider_class is None or source is None:  # pragma: no cover - problems say why
        raise RequestError(400, "the declaration could not be compiled")
    canonical = orjson.dumps(source.data, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.blake2b(canonical, digest_size=16).hexdigest()
    return Source(
        provider_class, f"declaration:{digest}", f"declaration {provider_class.name}"
    )


def _provider(name: str) -> Source:
    provider_class = DOCUMENT_PROVIDERS.get(name)
    return Source(provider_class, f"provider:{name}", f"provider {name}")
