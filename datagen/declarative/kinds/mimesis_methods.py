"""`<provider>.<method>`: any Mimesis method, its arguments beside `gen`.

Names are checked against Mimesis' Generic (the nearest are suggested), the
arguments against the method's parameters (text for an enum parameter becomes
the enum), and the method is called once with them at compile time, so a bad
argument is a problem rather than a failed run.
"""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from mimesis import Field, Generic
from mimesis.locales import Locale
from mimesis.providers.base import BaseDataProvider, BaseProvider

from datagen.declarative.kinds.base import Context, Maker, Scopes, shown
from datagen.declarative.problems import FieldPath, Problems, nearest
from datagen.errors import first_line

#: Keys of a generator spec that are not the method's arguments.
RESERVED = ("gen", "null_rate")


@cache
def providers() -> dict[str, type]:
    """Mimesis provider name -> class, as Generic holds them."""
    generic = Generic()
    found: dict[str, type] = {}
    for key, value in vars(generic).items():
        name = key.lstrip("_")
        cls = value if isinstance(value, type) else type(value)
        if issubclass(cls, BaseProvider) and cls is not Generic:
            found[name] = cls
    return dict(sorted(found.items()))


_BASE = set(dir(BaseDataProvider)) | set(dir(BaseProvider))


@cache
def methods(provider: str) -> tuple[str, ...]:
    """The public methods of a Mimesis provider."""
    cls = providers()[provider]
    return tuple(
        name
        for name in dir(cls)
        if not name.startswith("_")
        and name not in _BASE
        and inspect.isfunction(getattr(cls, name, None))
    )


@cache
def _field(locale: str) -> Field:
    return Field(Locale(locale), seed=0)


def is_method_name(name: str) -> bool:
    """True for 'provider.method' naming a Mimesis method."""
    provider, _, method = name.partition(".")
    return provider in providers() and method in methods(provider)


def fuzzy_names(name: str) -> list[str]:
    """'provider.name' for each provider that has a method called name."""
    return [f"{p}.{name}" for p in providers() if name in methods(p)]


def mimesis_kind(
    name: str,
    spec: Mapping[str, Any],
    path: FieldPath,
    problems: Problems,
    locale: str,
) -> Maker | None:
    """The maker calling Mimesis method name ('person.email') with the
    spec's other keys as arguments."""
    provider, _, method_name = name.partition(".")
    if provider not in providers():
        problems.add(
            (*path, "gen"),
            f"unknown Mimesis provider '{provider}'{nearest(provider, providers())}",
        )
        return None
    if method_name not in methods(provider):
        choices = methods(provider)
        problems.add(
            (*path, "gen"),
            f"Mimesis provider '{provider}' has no method '{method_name}'"
            f"{nearest(method_name, choices)}",
        )
        return None
    function = getattr(providers()[provider], method_name)
    kwargs = arguments(function, spec, path, problems)
    if kwargs is None:
        return None
    try:
        Locale(locale)
    except ValueError:
        locale = "en"
    try:
        _field(locale)._lookup_method(name)(**kwargs)
    except Exception as exc:  # the method's own check of its arguments
        problems.add(
            path,
            f"{name} fails with these arguments: {type(exc).__name__}: "
            f"{first_line(exc)}",
        )
        return None
    return _maker(name, kwargs)


def arguments(
    function: Any, spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> dict[str, Any] | None:
    """The method's arguments from spec: each a parameter of it."""
    signature = inspect.signature(function)
    parameters = {
        name: parameter
        for name, parameter in list(signature.parameters.items())[1:]
        if parameter.kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    open_ended = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
    )
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # an annotation that cannot be resolved: no conversion
        hints = {}
    kwargs: dict[str, Any] = {}
    good = True
    for key, value in spec.items():
        if key in RESERVED:
            continue
        if key not in parameters and not open_ended:
            listing = ", ".join(parameters) or "none"
            problems.add(
                (*path, str(key)),
                f"unknown key '{key}'{nearest(str(key), [*parameters, *RESERVED])}"
                f" (the method's arguments: {listing})",
            )
            good = False
            continue
        converted = _enum_value(hints.get(str(key)), value, (*path, str(key)), problems)
        if converted is _BAD:
            good = False
        else:
            kwargs[str(key)] = converted
    return kwargs if good else None


_BAD: Any = object()


def _enum_value(hint: Any, value: Any, path: FieldPath, problems: Problems) -> Any:
    """value as a member of the enum in hint when hint has one and value is text."""
    options = [hint, *typing.get_args(hint)] if hint is not None else []
    enums = [o for o in options if isinstance(o, type) and issubclass(o, enum.Enum)]
    if not enums or not isinstance(value, str):
        return value
    kind = enums[0]
    for member in kind:
        if value.lower() in (member.name.lower(), str(member.value).lower()):
            return member
    listing = ", ".join(member.name.lower() for member in kind)
    problems.add(path, f"{shown(value)} is not one of {listing}")
    return _BAD


def _maker(name: str, kwargs: dict[str, Any]) -> Maker:
    """Calls the method of the context's Field, looked up again only when the
    Field changes (a provider instance keeps its Field)."""
    cell: list[Any] = [None, None]  # the Field, its bound method

    def method_of(field: Field) -> Any:
        cell[0], cell[1] = field, field._lookup_method(name)
        return cell[1]

    if not kwargs:

        def make(ctx: Context, scopes: Scopes) -> Any:
            field = ctx.field
            method = cell[1] if field is cell[0] else method_of(field)
            return method()

        return make

    def make_with(ctx: Context, scopes: Scopes) -> Any:
        field = ctx.field
        method = cell[1] if field is cell[0] else method_of(field)
        return method(**kwargs)

    return make_with
