"""`kind: journey` declarations compiled into JourneyProvider classes.

Each step names a document provider (declared or Python: looked up when the
journey runs, since it may be declared in another file), a delay and
overrides. Overrides are fields whose text placeholders read the journey
(`{journey.user_id}`, `{journey.started_at}`, `{journey.<var>}` of `vars:`),
earlier steps (`{steps[N].field}`) and the step itself (`{step.at}`,
`{step.index}`); a value that is one placeholder alone keeps its type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from random import Random
from typing import Any, ClassVar

from mimesis import Field

from datagen.declarative.headers import (
    RUN_DEFAULT_LOCALE,
    declared_class,
    read_header,
)
from datagen.declarative.fields import Context, FieldsMaker, compile_fields
from datagen.declarative.kinds.base import is_number, shown
from datagen.declarative.problems import (
    FieldPath,
    Problems,
    Source,
    nearest,
    unknown_keys,
)
from datagen.documents import to_locale
from datagen.journeys import JourneyProvider
from datagen.seeding import derive_seed
from datagen.timefmt import DEFAULT_START, isoformat

JOURNEY_KEYS = ("provider", "kind", "description", "locale", "vars", "steps", "$schema")
STEP_KEYS = ("document", "delay", "delay_from_step_index", "overrides")
#: What `journey.` holds besides the vars.
JOURNEY_NAMES = ("user_id", "started_at")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+")
_STEP_READ = re.compile(r"steps\s*\[\s*(\d+)\s*\]")
_JOURNEY_READ = re.compile(r"journey\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*'(\w+)'\s*\])")


@dataclass(frozen=True)
class PlannedStep:
    """One declared step: its provider, delay and overrides."""

    document: str
    delay: tuple[int, int] | None
    delay_from_step_index: int | None
    overrides: FieldsMaker


class DeclaredJourney(JourneyProvider, abstract=True):
    """A journey provider declared in a file."""

    plan: ClassVar[tuple[PlannedStep, ...]]
    vars_maker: ClassVar[FieldsMaker]
    declared_locale: ClassVar[str | None] = None
    #: One Mimesis field per locale for vars and overrides, reseeded per journey.
    _fields: ClassVar[dict[str, Field]]

    def __init__(
        self,
        locale: str = RUN_DEFAULT_LOCALE,
        seed: int = 0,
        now: datetime = DEFAULT_START,
    ) -> None:
        if self.declared_locale and locale == RUN_DEFAULT_LOCALE:
            locale = self.declared_locale
        super().__init__(locale, seed, now)

    def _context(self) -> Context:
        field = self._fields.get(self.locale)
        if field is None:
            field = self._fields[self.locale] = Field(to_locale(self.locale))
        field.reseed(derive_seed(self.seed, "declared", "field"))
        rng = Random(derive_seed(self.seed, "declared", "random"))
        return Context(field, rng, self.started_at)

    def create_journey(self) -> None:
        ctx = self._context()
        journey: dict[str, Any] = {
            "user_id": self.user_id,
            "started_at": isoformat(self.started_at),
        }
        ctx.names = {"journey": journey}
        journey.update(self.vars_maker(ctx))
        made: list[dict[str, Any]] = []
        for index, planned in enumerate(self.plan):
            self.add_step(
                planned.document,
                self._maker(ctx, journey, made, index, planned),
                delay=planned.delay,
                delay_from_step_index=planned.delay_from_step_index,
            )
            made.append(self.steps[-1].document)

    def _maker(
        self,
        ctx: Context,
        journey: dict[str, Any],
        made: list[dict[str, Any]],
        index: int,
        planned: PlannedStep,
    ) -> Any:
        def document(at: datetime) -> dict[str, Any]:
            ctx.now = at
            ctx.names = {
                "journey": journey,
                "steps": made,
                "step": {"index": index, "at": isoformat(at)},
            }
            overrides = planned.overrides(ctx)
            return self.document(planned.document, at=at, **overrides)

        return document


def declared_journey(
    source: Source, problems: Problems
) -> type[JourneyProvider] | None:
    """The JourneyProvider class of a `kind: journey` declaration,
    unregistered; None when it has problems (all added to problems)."""
    found = len(problems)
    header = read_header(source, problems, "journey", JOURNEY_KEYS, "steps")
    if header is None:
        return None
    data, locale = header.data, header.locale
    compile_locale = locale or RUN_DEFAULT_LOCALE
    spec_vars = data.get("vars", {})
    vars_maker = compile_fields(
        spec_vars, ("vars",), problems, compile_locale, names=("journey",)
    )
    var_names = set(vars_maker.keys)
    for clash in sorted(var_names & set(JOURNEY_NAMES)):
        problems.add(
            ("vars", clash), f"'{clash}' is the journey's own; name it otherwise"
        )
    plan = _steps(data, problems, compile_locale, var_names)
    if len(problems) > found or header.name is None or plan is None:
        return None
    return declared_class(
        DeclaredJourney, source, header, plan=plan, vars_maker=vars_maker, _fields={}
    )


def _steps(
    data: Mapping[str, Any], problems: Problems, locale: str, var_names: set[str]
) -> tuple[PlannedStep, ...] | None:
    steps = data.get("steps")
    if steps is None:
        problems.add(("steps",), "is required (the journey's steps)")
        return None
    if not isinstance(steps, list) or not steps:
        problems.add(("steps",), f"must be a list of steps, not {shown(steps)}")
        return None
    plan = []
    for index, step in enumerate(steps):
        planned = _step(step, ("steps", index), index, problems, locale, var_names)
        if planned is not None:
            plan.append(planned)
    return tuple(plan) if len(plan) == len(steps) else None


def _step(
    step: Any,
    path: FieldPath,
    index: int,
    problems: Problems,
    locale: str,
    var_names: set[str],
) -> PlannedStep | None:
    if not isinstance(step, Mapping):
        problems.add(
            path, f"must be a mapping (document:, delay:, ...), not {shown(step)}"
        )
        return None
    found = len(problems)
    unknown_keys(step, STEP_KEYS, path, problems)
    document = step.get("document")
    if not isinstance(document, str) or not _SAFE_NAME.fullmatch(document):
        what = "is required" if document is None else f"{document!r} is not a name"
        problems.add((*path, "document"), f"{what} (a document provider)")
    delay = _delay(step.get("delay"), (*path, "delay"), problems)
    from_index = step.get("delay_from_step_index")
    if from_index is not None and (
        not is_number(from_index)
        or not float(from_index).is_integer()
        or not 0 <= from_index < index
    ):
        problems.add(
            (*path, "delay_from_step_index"),
            (
                f"must name an earlier step (0 to {index - 1}), not {shown(from_index)}"
                if index
                else "the first step has no earlier step to count from"
            ),
        )
    overrides_spec = step.get("overrides", {})
    overrides = compile_fields(
        overrides_spec,
        (*path, "overrides"),
        problems,
        locale,
        names=("journey", "steps", "step"),
        placeholders=True,
    )
    _check_reads(overrides_spec, (*path, "overrides"), index, var_names, problems)
    if len(problems) > found:
        return None
    return PlannedStep(
        str(document),
        delay,
        None if from_index is None else int(from_index),
        overrides,
    )


def _delay(value: Any, path: FieldPath, problems: Problems) -> tuple[int, int] | None:
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(is_number(v) and float(v).is_integer() for v in value)
    ):
        low, high = int(value[0]), int(value[1])
        if 0 <= low <= high:
            return low, high
    problems.add(
        path, f"must be [lo, hi] whole seconds with 0 <= lo <= hi, not {shown(value)}"
    )
    return None


def _check_reads(
    spec: Any, path: FieldPath, index: int, var_names: set[str], problems: Problems
) -> None:
    """A problem for each `steps[N]` that is not an earlier step and each
    `journey.x` that the journey does not hold, in any text of spec."""
    if isinstance(spec, Mapping):
        for key, value in spec.items():
            _check_reads(value, (*path, str(key)), index, var_names, problems)
    elif isinstance(spec, list):
        for position, value in enumerate(spec):
            _check_reads(value, (*path, position), index, var_names, problems)
    elif isinstance(spec, str):
        for match in _STEP_READ.finditer(spec):
            if int(match.group(1)) >= index:
                problems.add(
                    path,
                    f"steps[{match.group(1)}] is not an earlier step "
                    f"(this is step {index})",
                )
        known = {*JOURNEY_NAMES, *var_names}
        for match in _JOURNEY_READ.finditer(spec):
            key = match.group(1) or match.group(2)
            if key not in known:
                problems.add(
                    path,
                    f"journey.{key} is not known (the journey has "
                    f"{', '.join(sorted(known))}){nearest(key, known)}",
                )
