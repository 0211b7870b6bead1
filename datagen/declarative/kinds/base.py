"""What every generator kind shares: the context a maker draws from, the
maker's type, and the checks of a spec's values (each bad value a problem at
its own field path)."""

from __future__ import annotations

from random import Random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from mimesis import Field

from datagen.declarative.problems import FieldPath, Problems
from datagen.references import Picker
from datagen.timefmt import DEFAULT_START


@dataclass
class Context:
    """What a document's fields are drawn from: the provider's seeded Mimesis
    field and RNG, its `now`, the document's index in the run (for
    `sequence`) and extra names that templates, refs and expressions read
    (a journey's {"journey": {...}, "steps": [...]}). A document's references
    to other streams draw for `stream` (its provider's name), each with the
    picker kept in `pickers` (the provider's, emptied for each block)."""

    field: Field
    random: Random
    now: datetime = DEFAULT_START
    index: int = 0
    names: dict[str, Any] = field(default_factory=dict)
    stream: str = ""
    pickers: dict[Any, Picker] = field(default_factory=dict)


#: The objects being filled, outermost (the document) first.
Scopes = list[dict[str, Any]]
#: One field's value drawn from the context (scopes: for names it reads).
Maker = Callable[[Context, Scopes], Any]
#: A kind's compiler: its spec, the spec's path, the problems and the locale.
KindCompiler = Callable[[Mapping[str, Any], FieldPath, Problems, str], "Maker | None"]

_MISSING: Any = object()

P = TypeVar("P")
#: A kind's spec read once into its parameters (None, with problems, when
#: the spec is bad): basic.integer_params, times.date_params, ...
ParamsReader = Callable[[Mapping[str, Any], FieldPath, Problems], P | None]


def from_params(
    read: ParamsReader[P],
    build: Callable[[P], Maker],
) -> KindCompiler:
    """The kind compiler that reads a spec's parameters once with `read`
    (None, with problems, when the spec is bad) and builds the row maker
    from them; the columnar engine builds its maker from the same `read`."""

    def compile_kind(
        spec: Mapping[str, Any], path: FieldPath, problems: Problems, locale: str
    ) -> Maker | None:
        params = read(spec, path, problems)
        return None if params is None else build(params)

    return compile_kind


def describe(value: Any) -> str:
    """What value is, for messages: 'text', 'a number', 'a list', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def is_number(value: Any) -> bool:
    """An int or float (a boolean is not a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(
    spec: Mapping[str, Any],
    key: str,
    path: FieldPath,
    problems: Problems,
    default: Any = _MISSING,
    whole: bool = False,
) -> Any:
    """spec[key] as a number (whole when `whole`); default when absent; None
    with a problem when it is missing (and has no default) or not a number."""
    if key not in spec:
        if default is _MISSING:
            problems.add((*path, key), "is required")
        return None if default is _MISSING else default
    value = spec[key]
    if whole and not (is_number(value) and float(value).is_integer()):
        problems.add((*path, key), f"must be a whole number, not {shown(value)}")
        return None
    if not is_number(value):
        problems.add((*path, key), f"must be a number, not {shown(value)}")
        return None
    if (
        isinstance(value, float)
        and value != value
        or value
        in (
            float("inf"),
            float("-inf"),
        )
    ):
        problems.add((*path, key), f"must be a finite number, not {value}")
        return None
    return int(value) if whole else value


def shown(value: Any) -> str:
    """value for a message: short text or what it is."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."
    return describe(value)


def probability(
    spec: Mapping[str, Any],
    key: str,
    path: FieldPath,
    problems: Problems,
    default: float,
) -> float | None:
    """spec[key] as a number in [0, 1]; None with a problem otherwise."""
    value = number(spec, key, path, problems, default)
    if value is None:
        return None
    if not 0 <= value <= 1:
        problems.add((*path, key), f"must be between 0 and 1, not {value}")
        return None
    return float(value)


def ordered(
    low: Any, high: Any, path: FieldPath, problems: Problems, what: str = "max"
) -> bool:
    """True when low <= high; else a problem at path + (what,)."""
    if low is None or high is None:
        return False
    if low > high:
        problems.add((*path, what), f"{high} is less than min {low}")
        return False
    return True
