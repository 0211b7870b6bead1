"""The arguments of a vectorised Mimesis method, read as Mimesis reads them
(anything else is Unsupported: the field is then made per row by Mimesis),
and the types of what builds a method's column maker."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

from datagen.engine.columns.block import Column

E = TypeVar("E", bound=enum.Enum)


class Unsupported(Exception):
    """Why a method call has no vectorised form (one line)."""


def arguments(kwargs: Mapping[str, Any], **defaults: Any) -> dict[str, Any]:
    """defaults overridden by kwargs; a key not among them is Unsupported."""
    for key in kwargs:
        if key not in defaults:
            raise Unsupported(f"argument {key!r} has no vectorised form")
    return {**defaults, **kwargs}


def members(value: Any, kind: type[E]) -> list[E]:
    """The enum members a call draws from: all of them for None (Mimesis's
    validate_enum picks one at random each call), else the one given."""
    if value is None:
        return list(kind)
    if isinstance(value, kind):
        return [value]
    raise Unsupported(f"{value!r} is not a {kind.__name__}")


def integer(value: Any, name: str) -> int:
    """value as an int argument (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unsupported(f"{name}={value!r} is not an integer")
    return value


def number(value: Any, name: str) -> float:
    """value as a real number argument (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unsupported(f"{name}={value!r} is not a number")
    return float(value)


def text(value: Any, name: str) -> str:
    """value as a text argument."""
    if not isinstance(value, str):
        raise Unsupported(f"{name}={value!r} is not text")
    return value


def texts(value: Any, name: str) -> list[str]:
    """value as a list of texts (a YAML sequence)."""
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) for item in value
    ):
        raise Unsupported(f"{name} is not a list of texts")
    return list(value)


#: n values of a method, from a block's Generator for the field.
VectorMaker = Callable[[np.random.Generator, int], Column]

#: A method's VectorMaker for a call's arguments and a locale (Unsupported:
#: there is none).
Builder = Callable[[Mapping[str, Any], str], VectorMaker]
