"""Builders of the Mimesis methods that are one random.choice from a list:
the list by path (data.py), chosen by a flag or an enum argument where
the method has one, or a value that never varies."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from datagen.engine.columns.block import Constant
from datagen.engine.columns.mimesis.args import (
    Builder,
    VectorMaker,
    arguments,
    members,
)
from datagen.engine.columns.mimesis.data import Pick, lookup, pick
from datagen.engine.columns.mimesis.parts import picked


def chosen(of: Pick) -> VectorMaker:
    """The maker of n words of a Pick."""
    return lambda rng, n: picked(of, rng, n)


def choices(path: str) -> Builder:
    """A method without arguments choosing a word of the list at path."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        arguments(kwargs)
        return chosen(pick(locale, path))

    return build


def flagged(flag: str, if_true: str, if_false: str) -> Builder:
    """A method whose one flag argument (abbr=True) picks the list."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        args = arguments(kwargs, **{flag: False})
        return chosen(pick(locale, if_true if args[flag] else if_false))

    return build


def by_enum(argument: str, kind: type[enum.Enum], default: Any, path: str) -> Builder:
    """A method whose enum argument names the list: path holds '{}' for the
    member's value; None draws a member per call, as Mimesis does."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        value = arguments(kwargs, **{argument: default})[argument]
        paths = [path.format(member.value) for member in members(value, kind)]
        return chosen(pick(locale, *paths))

    return build


def constant(path: str) -> Builder:
    """A method giving the locale's one value at path every call."""

    def build(kwargs: Mapping[str, Any], locale: str) -> VectorMaker:
        arguments(kwargs)
        value = lookup(locale, path)
        return lambda rng, n: Constant(value, n)

    return build
