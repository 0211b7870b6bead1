"""The leaf kinds' column makers, from the same parameters as the row
makers (kinds/basic.py, kinds/times.py read each spec once), and Mimesis
methods through their vectorised forms (datagen.engine.columns)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from datagen.declarative.columnar.frame import ColumnMaker, Frame
from datagen.declarative.kinds import basic, times
from datagen.declarative.kinds.base import ParamsReader
from datagen.declarative.kinds.mimesis_methods import arguments, providers
from datagen.declarative.problems import FieldPath, Problems, dotted
from datagen.engine.columns import primitives
from datagen.engine.columns.block import Column, Constant
from datagen.engine.columns.mimesis.args import VectorMaker
from datagen.engine.columns.times import date_times, timestamp_times
from datagen.engine.columns.values import python_leaf

#: datagen.engine.columns.mimesis.vectors.vector_method's shape: the maker
#: of a method with its arguments in a locale, or why there is none.
VectorMethod = Callable[[str, Mapping[str, Any], str], "VectorMaker | str"]
#: A leaf kind's compiler: its spec and path -> its column maker.
LeafCompiler = Callable[[Mapping[str, Any], FieldPath], ColumnMaker]

T = TypeVar("T")


class Unvectorised(Exception):
    """A field with no vectorised form: its top-level field is made per row."""

    def __init__(self, path: FieldPath, reason: str) -> None:
        super().__init__(f"{dotted(path)}: {reason}")
        self.path = dotted(path)
        self.reason = reason


def drawn(draw: VectorMaker, path: FieldPath) -> ColumnMaker:
    """The maker of a column drawn from the field's Generator."""
    where = dotted(path)
    return lambda frame: draw(frame.rng(where), frame.count)


def _checked(params: T | None, path: FieldPath) -> T:
    if params is None:  # compile_columns takes specs compile_fields passed
        raise ValueError(f"{dotted(path)}: the spec has problems (check it first)")
    return params


def _read(read: ParamsReader[T], spec: Mapping[str, Any], path: FieldPath) -> T:
    """The spec's parameters, read as the row compiler read them."""
    return _checked(read(spec, path, Problems()), path)


def uuid(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    return drawn(primitives.uuid_column, path)


def constant(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    value = spec["value"]
    return lambda frame: Constant(value, frame.count)


def choice(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    params = _read(basic.choice_params, spec, path)
    words = python_leaf(params.values)
    cumulative = params.cumulative
    return drawn(
        lambda rng, n: primitives.choice_column(rng, n, words, cumulative), path
    )


def integer(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    params = _read(basic.integer_params, spec, path)
    low, high = params.low, params.high
    return drawn(lambda rng, n: primitives.integer_column(rng, n, low, high), path)


def floating(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    params = _read(basic.float_params, spec, path)
    low, high, decimals = params.low, params.high, params.decimals
    return drawn(
        lambda rng, n: primitives.float_column(rng, n, low, high, decimals), path
    )


def boolean(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    chance = _read(basic.boolean_params, spec, path)
    return drawn(lambda rng, n: primitives.boolean_column(rng, n, chance), path)


def sequence(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    params = _read(basic.sequence_params, spec, path)
    start, step = params.start, params.step

    def make(frame: Frame) -> Column:
        return primitives.sequence_column(frame.index(), start, step)

    return make


def date(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    params = _read(times.date_params, spec, path)
    return drawn(date_times(params.first, params.days, params.count, params.fmt), path)


def timestamp(spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    p = _read(times.timestamp_params, spec, path)
    return drawn(timestamp_times(p.first_ms, p.step_ms, p.count, p.fmt, p.whole), path)


#: The leaf kinds by name (template, ref, expr and list read other fields:
#: the compiler makes those).
LEAVES: dict[str, LeafCompiler] = {
    "uuid": uuid,
    "constant": constant,
    "choice": choice,
    "integer": integer,
    "float": floating,
    "boolean": boolean,
    "sequence": sequence,
    "date": date,
    "timestamp": timestamp,
}


def mimesis(
    name: str,
    spec: Mapping[str, Any],
    path: FieldPath,
    locale: str,
    vectors: VectorMethod,
) -> ColumnMaker:
    """The column maker of Mimesis method name with the arguments the row
    engine passes it (enum members for enum parameters)."""
    provider, _, method = name.partition(".")
    function = getattr(providers()[provider], method)
    kwargs = _checked(arguments(function, spec, path, Problems()), path)
    made = vectors(name, kwargs, locale)
    if isinstance(made, str):
        raise Unvectorised(path, made)
    return drawn(made, path)
