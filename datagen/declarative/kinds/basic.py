"""uuid, constant, choice, integer, float, boolean and sequence.

Each kind's spec is read once by its `*_params` function (every check, each
bad value a problem at its path) into a small frozen record; the row maker
(`*_kind`, built by base.from_params) and the columnar engine's maker are
both built from that record.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datagen.declarative.kinds.base import (
    Context,
    Maker,
    Scopes,
    from_params,
    is_number,
    number,
    ordered,
    probability,
    shown,
)
from datagen.declarative.problems import FieldPath, Problems
from datagen.seeding import random_uuid


@dataclass(frozen=True)
class ChoiceParams:
    """The values to choose from; cumulative weights, or None for uniform."""

    values: list[Any]
    cumulative: list[float] | None


@dataclass(frozen=True)
class IntegerParams:
    low: int
    high: int


@dataclass(frozen=True)
class FloatParams:
    low: float
    high: float
    decimals: int | None


@dataclass(frozen=True)
class SequenceParams:
    start: Any
    step: Any


def uuid_kind(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems, locale: str
) -> Maker:
    def make(ctx: Context, scopes: Scopes) -> str:
        return random_uuid(ctx.random)

    return make


def constant_kind(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems, locale: str
) -> Maker | None:
    if "value" not in spec:
        problems.add((*path, "value"), "is required")
        return None
    return constant(spec["value"])


def constant(value: Any) -> Maker:
    """value as it is; a fresh copy each time when it is a list or mapping."""
    if isinstance(value, (list, dict)):

        def make_copy(ctx: Context, scopes: Scopes) -> Any:
            return copy.deepcopy(value)

        return make_copy

    def make(ctx: Context, scopes: Scopes) -> Any:
        return value

    return make


def choice_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> ChoiceParams | None:
    if ("values" in spec) == ("weights" in spec):
        problems.add(path, "needs one of 'values' or 'weights'")
        return None
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list):
            problems.add((*path, "values"), f"must be a list, not {shown(values)}")
            return None
        if not values:
            problems.add((*path, "values"), "is empty")
            return None
        return ChoiceParams(values, None)
    weights = spec["weights"]
    if not isinstance(weights, Mapping):
        problems.add(
            (*path, "weights"),
            f"must be a mapping of value: weight, not {shown(weights)}",
        )
        return None
    if not weights:
        problems.add((*path, "weights"), "is empty")
        return None
    total = 0.0
    cumulative: list[float] = []
    good = True
    for value, weight in weights.items():
        if not is_number(weight) or not weight > 0 or weight == float("inf"):
            problems.add(
                (*path, "weights", str(value)),
                f"must be a positive number, not {shown(weight)}",
            )
            good = False
            continue
        total += weight
        cumulative.append(total)
    if not good:
        return None
    return ChoiceParams(list(weights), cumulative)


def _choice(params: ChoiceParams) -> Maker:
    if params.cumulative is None:
        return _uniform(params.values)
    return _weighted(params.values, params.cumulative)


def _uniform(values: list[Any]) -> Maker:
    if any(isinstance(value, (list, dict)) for value in values):

        def make_copy(ctx: Context, scopes: Scopes) -> Any:
            return copy.deepcopy(ctx.random.choice(values))

        return make_copy

    def make(ctx: Context, scopes: Scopes) -> Any:
        return ctx.random.choice(values)

    return make


def _weighted(values: list[Any], cumulative: list[float]) -> Maker:
    total = cumulative[-1]
    last = len(values) - 1
    find = bisect.bisect_right

    def make(ctx: Context, scopes: Scopes) -> Any:
        return values[min(find(cumulative, ctx.random.random() * total), last)]

    return make


choice_kind = from_params(choice_params, _choice)


def integer_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> IntegerParams | None:
    low = number(spec, "min", path, problems, 0, whole=True)
    high = number(spec, "max", path, problems, whole=True)
    for key, value in (("min", low), ("max", high)):
        if value is not None and not -(2**63) <= value < 2**63:
            problems.add(
                (*path, key),
                f"{value} is past the 64-bit integers (-2**63 .. 2**63-1) that "
                "JSON readers, Parquet and databases hold",
            )
            return None
    if not ordered(low, high, path, problems):
        return None
    return IntegerParams(low, high)


def _integer(params: IntegerParams) -> Maker:
    low, high = params.low, params.high

    def make(ctx: Context, scopes: Scopes) -> int:
        return ctx.random.randint(low, high)

    return make


integer_kind = from_params(integer_params, _integer)


def float_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> FloatParams | None:
    low = number(spec, "min", path, problems, 0)
    high = number(spec, "max", path, problems, 1)
    decimals = number(spec, "decimals", path, problems, None, whole=True)
    if "decimals" in spec and decimals is not None and not 0 <= decimals <= 15:
        problems.add((*path, "decimals"), f"must be 0 to 15, not {decimals}")
        return None
    if not ordered(low, high, path, problems) or (
        "decimals" in spec and decimals is None
    ):
        return None
    return FloatParams(float(low), float(high), decimals)


def _float(params: FloatParams) -> Maker:
    low, high, decimals = params.low, params.high, params.decimals
    if decimals is None:

        def make(ctx: Context, scopes: Scopes) -> float:
            return ctx.random.uniform(low, high)

        return make

    def make_rounded(ctx: Context, scopes: Scopes) -> float:
        return round(ctx.random.uniform(low, high), decimals)

    return make_rounded


float_kind = from_params(float_params, _float)


def boolean_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> float | None:
    """The probability of true."""
    return probability(spec, "probability", path, problems, 0.5)


def _boolean(chance: float) -> Maker:
    def make(ctx: Context, scopes: Scopes) -> bool:
        return ctx.random.random() < chance

    return make


boolean_kind = from_params(boolean_params, _boolean)


def sequence_params(
    spec: Mapping[str, Any], path: FieldPath, problems: Problems
) -> SequenceParams | None:
    start = number(spec, "start", path, problems, 1)
    step = number(spec, "step", path, problems, 1)
    if step == 0:
        problems.add((*path, "step"), "must not be 0")
        return None
    if start is None or step is None:
        return None
    return SequenceParams(start, step)


def _sequence(params: SequenceParams) -> Maker:
    start, step = params.start, params.step

    def make(ctx: Context, scopes: Scopes) -> Any:
        return start + step * ctx.index

    return make


sequence_kind = from_params(sequence_params, _sequence)
