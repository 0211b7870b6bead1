"""Reading fields already made: the getters of `ref` and template
placeholders (a field of some enclosing object, or an extra name of the
context, then keys and indexes), the join of a template's parts, and
null_rate's wrapper."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from datagen.declarative.kinds.base import Context, Maker, Scopes
from datagen.declarative.problems import FieldPath, dotted
from datagen.errors import ProviderError


def getter(depth: int | None, name: str, keys: tuple[str | int, ...]) -> Maker:
    if depth is None:
        if not keys:
            return lambda ctx, scopes: ctx.names[name]

        def from_names(ctx: Context, scopes: Scopes) -> Any:
            value = ctx.names[name]
            for key in keys:
                value = value[key]
            return value

        return from_names
    if not keys:
        return lambda ctx, scopes: scopes[depth][name]

    def from_fields(ctx: Context, scopes: Scopes) -> Any:
        value = scopes[depth][name]
        for key in keys:
            value = value[key]
        return value

    return from_fields


def guarded(getter: Maker, path: FieldPath, text: str) -> Maker:
    """getter, its failure (a missing key, a null) one line naming the field."""

    def read(ctx: Context, scopes: Scopes) -> Any:
        try:
            return getter(ctx, scopes)
        except (KeyError, IndexError, TypeError) as exc:
            if isinstance(exc, KeyError) and exc.args:
                reason = f"no key {exc.args[0]!r}"
            elif isinstance(exc, IndexError):
                reason = "no such item"
            else:
                reason = "a value on the way is null or has no keys"
            raise ProviderError(
                f"{dotted(path)}: '{text}' cannot be read ({reason})"
            ) from None

    return read


def joined(parts: list[str | Callable[[Context, Scopes], Any]]) -> Maker:
    if all(isinstance(part, str) for part in parts):
        text = "".join(str(part) for part in parts)
        return lambda ctx, scopes: text
    steps = [part if callable(part) else _literal(part) for part in parts]

    def make(ctx: Context, scopes: Scopes) -> str:
        return "".join([template_text(step(ctx, scopes)) for step in steps])

    return make


def _literal(text: str) -> Maker:
    return lambda ctx, scopes: text


def template_text(value: Any) -> str:
    """value in a template: text as it is, others as JSON writes them."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, type(None), dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def nullable(maker: Maker, rate: float) -> Maker:
    def make(ctx: Context, scopes: Scopes) -> Any:
        return None if ctx.random.random() < rate else maker(ctx, scopes)

    return make
