"""What every declaration (document, journey, simulation) has at its top:
its provider name, locale and description, checked, and the class made for
it, named after it."""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from datagen.declarative.problems import Problems, Source, nearest, unknown_keys
from datagen.documents import LOCALES

T = TypeVar("T")

#: The locale a run passes when none is asked for (the CLI's --locale default).
RUN_DEFAULT_LOCALE = "en"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+")


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
