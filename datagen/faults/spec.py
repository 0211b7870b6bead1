"""A faults spec (`--faults`, a declared `faults:`): a rate per kind, and a lag."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from datagen.errors import ConfigError
from datagen.timefmt import duration_text, parse_duration

#: Every kind of fault, in the order the manifest's counts list them.
FAULT_KINDS = (
    "null",
    "wrong_type",
    "out_of_range",
    "malformed",
    "drift",
    "duplicate",
    "late",
    "out_of_order",
    "dangling",
)
#: How much older than the watermark a late event is, when the spec says no `lag=`.
DEFAULT_LAG_SECONDS = 600.0
_OPTIONS = ("lag",)


@dataclass(frozen=True)
class FaultSpec:
    """Rates (a fraction of the records, 0 to 1) by kind; kinds not named
    have none. `lag`: seconds a late event is older than the watermark."""

    rates: Mapping[str, float] = field(default_factory=dict)
    lag: float = DEFAULT_LAG_SECONDS

    @property
    def total(self) -> float:
        """The share of records that get a fault (at most one each)."""
        return math.fsum(self.rates.values())

    def active(self) -> list[str]:
        """The kinds with a rate above 0, in FAULT_KINDS order."""
        return [kind for kind in FAULT_KINDS if self.rates.get(kind, 0) > 0]

    def text(self) -> str:
        """The spec as --faults reads it, kinds in FAULT_KINDS order (each
        rate exact: parse_faults(spec.text()) == spec)."""
        parts = [
            f"{kind}={self.rates[kind]!r}" for kind in FAULT_KINDS if kind in self.rates
        ]
        if self.lag != DEFAULT_LAG_SECONDS:
            exact = float(self.lag).is_integer()  # duration_text rounds to seconds
            parts.append(f"lag={duration_text(self.lag) if exact else repr(self.lag)}")
        return ",".join(parts)


def parse_faults(text: str, option: str = "--faults") -> FaultSpec:
    """KIND=RATE,... (RATE a fraction like 0.01 or a percentage like 1%),
    with `lag=DURATION` for late events (10m unless given). ConfigError,
    one line naming the item at fault, for an unknown kind, a rate outside
    0..1, an item without `=`, a kind given twice, or rates adding up to
    more than 1 (a record gets at most one fault)."""
    rates: dict[str, float] = {}
    lag = DEFAULT_LAG_SECONDS
    seen: set[str] = set()
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise ConfigError(f"{option} is empty: give KIND=RATE, e.g. null=0.01")
    for item in items:
        name, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not name or not value:
            raise ConfigError(
                f"{option} '{item}': give KIND=RATE, e.g. null=0.01 (kinds: "
                f"{', '.join(FAULT_KINDS)})"
            )
        if name in seen:
            raise ConfigError(f"{option} '{item}': {name} is given twice")
        seen.add(name)
        if name == "lag":
            lag = parse_duration(value, f"{option} lag")
        elif name in FAULT_KINDS:
            rates[name] = _rate(value, item, option)
        else:
            raise ConfigError(
                f"{option} '{item}': unknown fault kind '{name}' (kinds: "
                f"{', '.join(FAULT_KINDS)}; option: {', '.join(_OPTIONS)})"
            )
    spec = FaultSpec(rates, lag)
    if spec.total > 1 + 1e-9:
        raise ConfigError(
            f"{option}: the rates add up to {spec.total:g}, more than 1 (a record "
            "gets at most one fault)"
        )
    return spec


def _rate(value: str, item: str, option: str) -> float:
    """A rate from 0.01 or 1%; ConfigError unless it is 0 to 1."""
    percent = value.endswith("%")
    try:
        rate = float(value[:-1] if percent else value)
    except ValueError:
        rate = math.nan
    if percent:
        rate /= 100
    if not 0 <= rate <= 1:  # nan fails too
        raise ConfigError(
            f"{option} '{item}': a rate is a fraction from 0 to 1 (0.01) or a "
            "percentage (1%)"
        )
    return rate
