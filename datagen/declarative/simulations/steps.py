"""The let -> when -> set steps a flow's event and a machine's transition
share: `let` fields drawn each time, a `when` guard, `set` updates in order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.declarative.expressions import Expression, compile_expression
from datagen.declarative.problems import FieldPath, Problems
from datagen.declarative.simulations.common import (
    Fields,
    compiled_fields,
    expression_text,
    mapping_at,
)

#: (key, its path) -> the name a `set` key updates, or None (problem added).
SetTarget = Callable[[Any, FieldPath], "str | None"]


@dataclass
class Steps:
    """A compiled let/when/set: each None or empty when not declared."""

    let: Fields | None
    let_names: list[str]
    when: Expression | None
    sets: list[tuple[str, Expression]]


def compile_steps(
    spec: Mapping[str, Any],
    at: FieldPath,
    problems: Problems,
    locale: str,
    visible: Sequence[str],
    set_target: SetTarget,
) -> Steps:
    """spec's let, when and set at path `at`: `let` fields read `visible`;
    `when` and `set` read those and the let names; set_target checks each
    key of `set`."""
    let, let_names = None, []
    if spec.get("let") is not None:
        lets = mapping_at(spec["let"], (*at, "let"), problems)
        if lets:
            let_names = [str(name) for name in lets]
            let = compiled_fields(lets, (*at, "let"), problems, locale, list(visible))
    names = [*visible, *let_names]
    when = None
    if "when" in spec:
        when = compile_expression(
            expression_text(spec["when"]), (*at, "when"), problems, names
        )
    sets: list[tuple[str, Expression]] = []
    if spec.get("set") is not None:
        updates = mapping_at(spec["set"], (*at, "set"), problems) or {}
        for key, text in updates.items():
            place = (*at, "set", str(key))
            target = set_target(key, place)
            if target is None:
                continue
            expression = compile_expression(
                expression_text(text), place, problems, names
            )
            if expression is not None:
                sets.append((target, expression))
    return Steps(let, let_names, when, sets)
