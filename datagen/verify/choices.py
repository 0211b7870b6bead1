"""Each configured weighted choice tested with a chi-square goodness of fit.

A key "FIELD" counts the field's value in every clean record; "FIELD per
UNIT" counts it once per distinct UNIT value (units.py); "FIELD where
OTHER=VALUE" in the clean records whose OTHER is VALUE. Nulls are not draws (a choice
with `null_rate`). Categories expected fewer than 5 times are pooled, as the
test needs; a value the choice cannot give fails the check whatever the
p-value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from datagen.declarative.distributions import split_condition, split_key, value_text
from datagen.verify.reading import Stream
from datagen.verify.report import EXAMPLES, FAIL, SKIP, Check, outcome
from datagen.verify.units import unit_draws
from datagen.verify.values import MISSING, field_value

__all__ = ["choice_check", "DEFAULT_LEVEL"]

#: The significance level: a check fails when p < level. At 0.001 a run of
#: ten choice tests of a right generator fails about once in a hundred.
DEFAULT_LEVEL = 0.001
#: The fewest expected draws a category needs before the test is fair.
_SMALLEST = 5.0
_POOLED = "(pooled)"


def choice_check(
    stream: Stream,
    key: str,
    shares: dict[str, float],
    excluded: Collection[int],
    level: float,
    required: bool = True,
    time_field: str | None = None,
) -> Check:
    """The chi-square check of one choice; SKIP when the stream has no draws
    of it and required is false (an --against provider's field a stream does
    not have), FAIL when required."""
    rest, condition = split_condition(key)
    field, unit = split_key(rest)
    name = f"choice {key}"
    draws = unit_draws(stream, field, unit, excluded, time_field) if unit else None
    if draws is None:
        draws = _record_draws(stream, field, excluded, condition)
    observed = Counter(value_text(value) for value in draws)
    total = sum(observed.values())
    if not total:
        status = FAIL if required else SKIP
        summary = f"no record has field '{field}'"
        return Check(name, stream.name, status, summary, {"absent": field})
    unexpected = {v: n for v, n in observed.items() if shares.get(v, 0) <= 0}
    cells = _cells(observed, shares, total)
    details: dict[str, Any] = {
        "draws": total,
        "observed": dict(observed.most_common()),
        "expected": {v: round(total * p, 1) for v, p in shares.items()},
    }
    if unexpected:
        details["unexpected"] = dict(Counter(unexpected).most_common(EXAMPLES))
        return Check(
            name,
            stream.name,
            FAIL,
            f"{sum(unexpected.values()):,} of {total:,} draws are values the "
            f"choice cannot give ({', '.join(list(unexpected)[:3])})",
            details,
        )
    if len(cells) < 2:
        return Check(
            name,
            stream.name,
            SKIP,
            f"{total:,} draws: too few for a chi-square test",
            details,
        )
    from scipy.stats import chisquare

    result = chisquare([o for o, _ in cells], [e for _, e in cells])
    p_value = float(result.pvalue)
    details.update(
        statistic=round(float(result.statistic), 4),
        degrees_of_freedom=len(cells) - 1,
        p_value=p_value,
        level=level,
    )
    passed = p_value >= level
    return Check(
        name,
        stream.name,
        outcome(passed),
        f"chi-square p = {p_value:.4g} over {total:,} draws "
        f"({'>=' if passed else '<'} {level:g})",
        details,
    )


def _cells(
    observed: Counter[str], shares: dict[str, float], total: int
) -> list[tuple[float, float]]:
    """(observed, expected) per category; those expected fewer than 5
    times pooled into one (with the next smallest while still short)."""
    expected = sorted(
        ((total * p, value) for value, p in shares.items() if p > 0), reverse=True
    )
    cells = [(float(observed.get(v, 0)), e) for e, v in expected if e >= _SMALLEST]
    small = [(float(observed.get(v, 0)), e) for e, v in expected if e < _SMALLEST]
    if small:
        pooled = (sum(o for o, _ in small), sum(e for _, e in small))
        while pooled[1] < _SMALLEST and cells:
            o, e = cells.pop()
            pooled = (pooled[0] + o, pooled[1] + e)
        cells.append(pooled)
    return cells


def _record_draws(
    stream: Stream,
    field: str,
    excluded: Collection[int],
    condition: tuple[str, str] | None = None,
) -> list[Any]:
    """The field's value in each clean record (with OTHER=VALUE, in those
    whose OTHER is VALUE)."""
    draws = []
    for index, record in stream.dicts():
        if index in excluded:
            continue
        if condition is not None:
            other = field_value(record, condition[0])
            if other is MISSING or value_text(other) != condition[1]:
                continue
        value = field_value(record, field)
        if value is not MISSING and value is not None:
            draws.append(value)
    return draws
