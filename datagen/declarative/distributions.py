"""The weighted choices a provider or simulation is configured with.

`configured_distributions(kind, name)` returns `{key: {value: weight}}`, the
weights of each choice normalised to sum to 1, for a run's manifest and for
`verify`'s chi-square tests. A key is a field's dotted path ("plan",
"address.kind") when every record is one draw; "FIELD per UNIT" when the
field is drawn once per distinct UNIT value and repeated on its records (a
web session's marketing fields per `marketing_click_id`, a web user's
browser per `user_domain_id`); "FIELD where OTHER=VALUE" when only the
records whose OTHER is VALUE are draws (a state machine's trigger out of
one state). A value is a text as it is and anything else as JSON (`1`,
`true`), as `value_text()` writes it.

Read are: a provider's or a model's optional `distributions` attribute
(same shape, normalised here; a declared document's is its `choice` fields,
set when it is compiled, nested objects included, lists left out), the web
model's landing pages, marketing and user choices, and a state machine's
triggers out of each state whose transitions no callback or `when` may
refuse. {} when none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from datagen.documents import DOCUMENT_PROVIDERS
from datagen.engine.model import SIMULATIONS
from datagen.engine.models.state_machine import StateMachine, Transition
from datagen.engine.models.web.config import Choice, WebConfig
from datagen.engine.models.web.sessions import WebSessions
from datagen.errors import ConfigError

__all__ = [
    "Distributions",
    "PER",
    "configured_distributions",
    "model_distributions",
    "split_condition",
    "split_key",
    "value_text",
]

Distributions = dict[str, dict[str, float]]
#: Between a field and the field whose distinct values are the draws.
PER = " per "
#: Between a field and the OTHER=VALUE its draws have.
WHERE = " where "
#: The web model's choices drawn once per session / per user, by field.
_WEB_SESSION = {
    "marketing_source": "utm_sources",
    "marketing_medium": "utm_mediums",
    "marketing_content": "ads",
    "marketing_campaign": "campaigns",
}
_WEB_USER = {
    "os_name": "operating_systems",
    "browser_name": "browsers",
    "browser_language": "languages",
}
_SESSION_UNIT = "marketing_click_id"
_USER_UNIT = "user_domain_id"


def configured_distributions(
    kind: str, name: str, *, config: str | Path | None = None
) -> Distributions:
    """The normalised weights of each configured choice of the document
    provider (kind "document") or simulation (kind "simulation") called
    name; config: a simulation's --config file. {} when it has none.
    UnknownName for a name not registered; ConfigError for another kind."""
    if kind == "document":
        cls = DOCUMENT_PROVIDERS.get(name)
        own = getattr(cls, "distributions", None)
        return {} if own is None else normalised(own, f"document provider '{name}'")
    if kind == "simulation":
        factory = SIMULATIONS.get(name)
        model = factory(config=config) if config is not None else factory()
        return model_distributions(model)
    raise ConfigError(f"unknown kind {kind!r}: document or simulation")


def model_distributions(model: Any) -> Distributions:
    """A built simulation model's choices: its `distributions` attribute,
    else the web model's; {} for any other."""
    own = getattr(model, "distributions", None)
    if own is not None:
        return normalised(own, f"simulation '{getattr(model, 'name', model)}'")
    if isinstance(model, WebSessions):
        return _web(model.config)
    if isinstance(model, StateMachine):
        return _machine(model)
    return {}


def value_text(value: Any) -> str:
    """A value as a distribution names it: text as it is, else JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def split_key(key: str) -> tuple[str, str | None]:
    """'os_name per user_domain_id' -> ('os_name', 'user_domain_id');
    'plan' -> ('plan', None)."""
    field, per, unit = key.partition(PER)
    return (field.strip(), unit.strip()) if per else (key, None)


def split_condition(key: str) -> tuple[str, tuple[str, str] | None]:
    """'trigger where from_state=cart' -> ('trigger', ('from_state', 'cart'));
    any other key -> (key, None)."""
    rest, where, condition = key.partition(WHERE)
    name, equals, value = condition.partition("=")
    if not (where and equals and name.strip()):
        return key, None
    return rest.strip(), (name.strip(), value.strip())


def normalised(weights: Any, owner: str) -> Distributions:
    """{key: {value: weight}} with each choice's weights summing to 1;
    ConfigError naming owner for anything else."""
    if not isinstance(weights, Mapping):
        raise ConfigError(f"{owner}: distributions must be a mapping of fields")
    result: Distributions = {}
    for key, choice in weights.items():
        if not isinstance(choice, Mapping) or not choice:
            raise ConfigError(
                f"{owner}: distributions.{key} must map values to weights"
            )
        shares = _shares(choice.items())
        if shares is None:
            raise ConfigError(
                f"{owner}: distributions.{key}: weights must be numbers >= 0, "
                "not all 0"
            )
        result[str(key)] = shares
    return result


def _shares(pairs: Iterable[tuple[Any, Any]]) -> dict[str, float] | None:
    """{value text: weight / total}; None when a weight is not a number >= 0
    or all are 0. Equal values add up."""
    summed: dict[str, float] = {}
    for value, weight in pairs:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            return None
        if not weight >= 0:
            return None
        text = value_text(value)
        summed[text] = summed.get(text, 0.0) + float(weight)
    total = sum(summed.values())
    if not total > 0 or total == float("inf"):
        return None
    return {value: weight / total for value, weight in summed.items()}


def field_distributions(fields: Any) -> Distributions:
    """The weights of each `choice` field of a declaration's `fields` (at a
    fixed path; a choice inside a list has none), normalised."""
    found: Distributions = {}
    if isinstance(fields, Mapping):
        _choices(fields, "", found)
    return found


def _choices(fields: Mapping[Any, Any], prefix: str, found: Distributions) -> None:
    for key, spec in fields.items():
        if not isinstance(spec, Mapping):
            continue  # a constant or a list: no choice at a fixed path
        path = f"{prefix}{key}"
        if "gen" not in spec:
            _choices(spec, f"{path}.", found)
            continue
        if spec["gen"] != "choice":
            continue
        if isinstance(spec.get("weights"), Mapping):
            pairs: list[tuple[Any, Any]] = list(spec["weights"].items())
        elif isinstance(spec.get("values"), list):
            pairs = [(value, 1) for value in spec["values"]]
        else:
            continue
        if any(isinstance(value, (list, dict)) for value, _ in pairs):
            continue
        shares = _shares(pairs)
        if shares is not None:
            found[path] = shares


def _web(config: WebConfig) -> Distributions:
    found: Distributions = {
        f"page_url_path{PER}{_SESSION_UNIT}": {
            f"/{page}": share
            for page, share in _choice_shares(config.landing_pages).items()
        }
    }
    for field, group in _WEB_SESSION.items():
        found[f"{field}{PER}{_SESSION_UNIT}"] = _choice_shares(getattr(config, group))
    for field, group in _WEB_USER.items():
        found[f"{field}{PER}{_USER_UNIT}"] = _choice_shares(getattr(config, group))
    regions = _shares((place.region, 1) for place in config.locations)
    if regions is not None:
        found[f"geo_region_name{PER}{_USER_UNIT}"] = regions
    return found


def _choice_shares(choice: Choice) -> dict[str, float]:
    return _shares(zip(choice.names, choice.probabilities)) or {}


def _machine(model: StateMachine) -> Distributions:
    """The trigger out of each state, by its transitions' percents, where
    nothing may refuse one (a refused transition is drawn again)."""
    found: Distributions = {}
    rules = getattr(model, "_rules", {})
    for state, transitions in model.transitions.items():
        if not transitions or any(
            _may_refuse(t, rules.get((state, t.trigger))) for t in transitions
        ):
            continue
        shares = _shares((t.trigger, t.probability) for t in transitions)
        if shares is not None:
            found[f"trigger{WHERE}from_state={state}"] = shares
    return found


def _may_refuse(transition: Transition, rule: Any) -> bool:
    """True when a transition may be refused, or not make one event: a
    Python callback, a declared `when`, or a declared `emit`."""
    if rule is not None:
        return rule.when is not None or rule.streams is not None
    return transition.action_callback is not None
