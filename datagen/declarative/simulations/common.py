"""What every declared simulation shares: checking values into problems with
their paths, and the factory the registry holds."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

import mimesis
import mimesis.random
from mimesis.locales import Locale
from mimesis.providers.base import BaseProvider

from datagen.declarative.fields import Context, FieldsMaker, compile_fields

from datagen.declarative.problems import FieldPath, Problems, dotted
from datagen.errors import ConfigError, ProviderError, first_line
from datagen.timefmt import parse_duration

#: A builder of the model: the keyword options the CLI passes (config) -> model.
Builder = Callable[..., Any]


class DeclaredFactory:
    """A declared simulation as the SIMULATIONS registry holds it: calling it
    with the CLI's options builds the model; `name` and `description` are
    what register_simulation sets on a Python factory."""

    def __init__(self, name: str, description: str, build: Builder) -> None:
        self.name = name
        self.description = description
        self._build = build

    def __call__(self, **options: Any) -> Any:
        return self._build(**options)

    def __repr__(self) -> str:
        return f"<declared simulation {self.name!r}>"


def no_config(name: str, options: Mapping[str, Any]) -> None:
    """ConfigError for any option: a state machine or flow is all in its file."""
    config = options.get("config")
    if config is not None:
        raise ConfigError(
            f"{name}: --config {config} is not used: the simulation is declared "
            "in its file"
        )
    others = sorted(set(options) - {"config"})
    if others:
        raise TypeError(f"unexpected options {others}")


def mapping_at(
    value: Any, path: FieldPath, problems: Problems, what: str = "a mapping"
) -> dict[str, Any] | None:
    """value when it is a mapping, else None with a problem."""
    if isinstance(value, Mapping):
        return dict(value)
    problems.add(path, f"must be {what}, not {_shown(value)}")
    return None


def names_at(
    value: Any, path: FieldPath, problems: Problems, what: str
) -> list[str] | None:
    """A list of names (a single name is a list of one), each text, none twice."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.add(path, f"must be a list of {what}, not {_shown(value)}")
        return None
    names: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            problems.add((*path, index), f"must be a name, not {_shown(item)}")
        elif item in names:
            problems.add((*path, index), f"'{item}' is listed twice")
        else:
            names.append(item)
    return names


def expression_text(value: Any) -> Any:
    """An expression as text: a number or true/false is one too."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    return value


def text_at(value: Any, path: FieldPath, problems: Problems) -> str | None:
    """value when it is non-empty text, else None with a problem."""
    if isinstance(value, str) and value.strip():
        return value
    problems.add(path, f"must be text, not {_shown(value)}")
    return None


def number_at(
    value: Any,
    path: FieldPath,
    problems: Problems,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
) -> float | None:
    """value when it is a finite number in range, else None with a problem."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(path, f"must be a number, not {_shown(value)}")
        return None
    if not math.isfinite(value):
        problems.add(path, f"must be a finite number, not {value}")
        return None
    if low is not None and value < low:
        problems.add(path, f"must be at least {low:g}, not {value:g}")
        return None
    if high is not None and value > high:
        problems.add(path, f"must be at most {high:g}, not {value:g}")
        return None
    if above is not None and value <= above:
        problems.add(path, f"must be more than {above:g}, not {value:g}")
        return None
    return float(value)


def count_at(value: Any, path: FieldPath, problems: Problems, low: int) -> int | None:
    """value when it is a whole number >= low, else None with a problem."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(path, f"must be a whole number, not {_shown(value)}")
        return None
    if value < low:
        problems.add(path, f"must be at least {low}, not {value}")
        return None
    return value


def seconds_at(value: Any, path: FieldPath, problems: Problems) -> float | None:
    """A positive length of time: seconds as a number, or text such as '90s',
    '1m', '1h30m', '2d', or '500ms'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_at(value, path, problems, above=0)
    if not isinstance(value, str):
        problems.add(path, f"must be a length of time (1m, 90s, 500ms), not {value!r}")
        return None
    text = value.strip().lower()
    try:
        if text.endswith("ms"):
            milliseconds = float(text[:-2])
            if not (math.isfinite(milliseconds) and milliseconds > 0):
                raise ValueError(text)
            return milliseconds / 1000
        return parse_duration(text, dotted(path))
    except (ValueError, ConfigError):
        problems.add(
            path,
            f"'{value}' is not a positive length of time (e.g. 500ms, 90s, 1m, 1h, 2d)",
        )
        return None


def identifier_at(value: Any, path: FieldPath, problems: Problems) -> str | None:
    """A name expressions can read: a Python identifier without '__'."""
    if isinstance(value, str) and value.isidentifier() and "__" not in value:
        return value
    problems.add(path, f"{_shown(value)} is not a name (letters, digits and _)")
    return None


def failed(origin: str, where: str, exc: BaseException) -> ProviderError:
    """A run-time failure of a declared expression or field as one line: the
    declaration's origin (file), then the field path (an expression's own
    ProviderError names it already)."""
    if isinstance(exc, ProviderError):
        return ProviderError(f"{origin}: {first_line(exc)}")
    return ProviderError(f"{origin}: {where}: {type(exc).__name__}: {first_line(exc)}")


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class SeededField:
    """A Mimesis field whose every provider draws from one random generator,
    reseeded from the actor's RNG before each use: what a declared field
    draws then depends on its actor alone (not on which actors a worker
    process runs beside it), and a reseed costs one seed() instead of
    Mimesis' reseed of every provider."""

    def __init__(self, locale: str) -> None:
        self.field = mimesis.Field(Locale(locale))
        self.random = mimesis.random.Random()
        generic = self.field._generic
        for name in dir(generic):
            _share(getattr(generic, name, None), self.random, set())
        _share(generic, self.random, set())

    def seeded(self, rng: random.Random) -> mimesis.Field:
        """The field, reseeded from rng (which moves on by one draw)."""
        self.random.seed(rng.getrandbits(64))
        return self.field


def _share(provider: Any, shared: random.Random, seen: set[int]) -> None:
    """provider and the providers it holds draw from shared."""
    if not isinstance(provider, BaseProvider) or id(provider) in seen:
        return
    seen.add(id(provider))
    provider.random = shared  # type: ignore[assignment]
    for value in vars(provider).values():
        _share(value, shared, seen)


class Fields:
    """Declared fields compiled, made with a SeededField (reseeded only when
    they call Mimesis: the rest draw from the actor's RNG as they are)."""

    def __init__(self, spec: Mapping[str, Any], maker: FieldsMaker) -> None:
        self.maker = maker
        self.mimesis = uses_mimesis(spec)

    def make(
        self,
        field: SeededField,
        rng: random.Random,
        now: datetime,
        index: int,
        names: dict[str, Any],
    ) -> dict[str, Any]:
        chosen = field.seeded(rng) if self.mimesis else field.field
        return self.maker(Context(chosen, rng, now, index, names))


def compiled_fields(
    spec: Mapping[str, Any],
    path: FieldPath,
    problems: Problems,
    locale: str,
    names: Collection[str] = (),
) -> Fields | None:
    """compile_fields' maker as Fields (names: those the context carries
    besides the fields); None when the spec has a problem."""
    before = len(problems)
    maker = compile_fields(spec, path, problems, locale=locale, names=names)
    if maker is None or len(problems) > before:
        return None
    return Fields(spec, maker)


def uses_mimesis(spec: Any) -> bool:
    """True when a field of spec is a Mimesis method (`gen: provider.method`)."""
    if isinstance(spec, Mapping):
        gen = spec.get("gen")
        if isinstance(gen, str) and "." in gen:
            return True
        return any(uses_mimesis(value) for value in spec.values())
    if isinstance(spec, list):
        return any(uses_mimesis(value) for value in spec)
    return False
