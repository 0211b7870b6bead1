"""Declared simulations: `kind: simulation` files compiled into factories.

`declared_simulation(source, problems)` checks a declaration (every problem
added with its field path) and returns an unregistered simulation factory:
called with the CLI's options it builds the model (the engine's
StateMachine, Flow, WebSessions or EntityChanges), and it has `name` and
`description` as register_simulation sets them. The loader registers it with
its file as origin.

Top-level keys: provider, kind (simulation), description, model
(state_machine, flow, web or cdc), locale, actors and duration (the defaults
of a run), and the model's own keys (state_machine.py, flow.py, web.py,
cdc.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mimesis.locales import Locale

from datagen.declarative.documents import declared_faults
from datagen.declarative.problems import Problems, Source, nearest, unknown_keys
from datagen.declarative.simulations import (
    cdc,
    flow,
    flow_checks,
    machine_checks,
    state_machine,
    web,
)
from datagen.declarative.simulations.common import (
    DeclaredFactory,
    count_at,
    no_config,
    seconds_at,
    text_at,
)

MODELS = ("state_machine", "flow", "web", "cdc")
#: The keys every simulation declaration may have.
HEADER = (
    "provider",
    "kind",
    "description",
    "model",
    "locale",
    "actors",
    "duration",
    "faults",
)
#: The model's own keys (web's are the web model's sections).
MODEL_KEYS = {
    "state_machine": state_machine.KEYS,
    "flow": flow.KEYS,
    "cdc": cdc.KEYS,
}

__all__ = ["declared_simulation", "MODELS", "HEADER"]


def declared_simulation(
    source: Source, problems: Problems
) -> Callable[..., Any] | None:
    """The simulation factory the declaration describes, unregistered; None
    (every problem added to problems) when it has any problem. A `faults:`
    section becomes the built model's `declared_faults` (--faults text)."""
    before = len(problems)
    factory = _declared(source, problems)
    faults = None
    if isinstance(source.data, Mapping):
        faults = declared_faults(source.data, problems)
    if len(problems) > before:
        return None
    if factory is None or faults is None:
        return factory
    built = factory

    def build_with_faults(**options: Any) -> Any:
        model = built(**options)
        model.declared_faults = faults
        return model

    return DeclaredFactory(built.name, built.description, build_with_faults)


def _declared(source: Source, problems: Problems) -> DeclaredFactory | None:
    """declared_simulation's factory, before the faults."""
    before = len(problems)
    data = source.data
    if not isinstance(data, Mapping):
        problems.add((), "must be a mapping of keys (provider:, model:, ...)")
        return None
    name = _name(data, problems)
    kind = data.get("kind", "simulation")
    if kind != "simulation":
        problems.add(("kind",), f"is {kind!r}: a simulation declares kind: simulation")
    model = data.get("model")
    if model is None:
        problems.add(("model",), f"missing: one of {', '.join(MODELS)}")
    elif model not in MODELS:
        problems.add(
            ("model",),
            f"unknown model {model!r}: one of {', '.join(MODELS)}"
            + nearest(str(model), MODELS),
        )
        model = None
    description = f"declared {model or 'simulation'}"
    if "description" in data:
        description = text_at(data["description"], ("description",), problems) or ""
    locale = "en"
    if "locale" in data:
        locale = _locale(data["locale"], problems)
    actors = None
    if "actors" in data:
        actors = count_at(data["actors"], ("actors",), problems, 1)
    duration = None
    if "duration" in data:
        duration = seconds_at(data["duration"], ("duration",), problems)
    if model is None:
        return None
    origin = str(source.file) if source.file is not None else name or "declaration"
    if model == "web":
        sections = web.web_sections(data, HEADER, problems)
        if sections is None or len(problems) > before or name is None:
            return None
        return _web_factory(name, description, sections, actors, duration)
    unknown_keys(data, (*HEADER, *MODEL_KEYS[model]), (), problems)
    if model == "cdc":
        declared = cdc.compile_changes(
            data, problems, name or "", description, locale, origin, actors, duration
        )
        if declared is None or len(problems) > before or name is None:
            return None
        return _cdc_factory(declared)
    compile_model = (
        machine_checks.compile_machine
        if model == "state_machine"
        else flow_checks.compile_flow
    )
    compiled = compile_model(
        data, problems, name or "", description, locale, origin, actors, duration
    )
    if compiled is None or len(problems) > before or name is None:
        return None
    if isinstance(compiled, state_machine.Machine):
        machine = compiled

        def build_machine(**options: Any) -> Any:
            no_config(machine.name, options)
            return state_machine.DeclaredStateMachine(machine)

        return DeclaredFactory(name, description, build_machine)
    flows = compiled

    def build_flow(**options: Any) -> Any:
        no_config(flows.name, options)
        return flow.DeclaredFlow(flows)

    return DeclaredFactory(name, description, build_flow)


def _cdc_factory(declared: cdc.DeclaredChanges) -> DeclaredFactory:
    def build_changes(**options: Any) -> Any:
        no_config(declared.name, options)
        return cdc.build_changes(declared)

    return DeclaredFactory(declared.name, declared.description, build_changes)


def _locale(value: Any, problems: Problems) -> str:
    """A Mimesis locale ('en', 'de', 'pt-br', ...); 'en' with a problem if not."""
    known = [locale.value for locale in Locale]
    if isinstance(value, str) and value in known:
        return value
    problems.add(
        ("locale",),
        f"unknown locale {value!r}: a Mimesis locale such as en, de, fr, pt-br"
        + nearest(str(value), known),
    )
    return "en"


def _name(data: Mapping[str, Any], problems: Problems) -> str | None:
    if "provider" not in data:
        problems.add(("provider",), "missing: the simulation's name")
        return None
    name = text_at(data["provider"], ("provider",), problems)
    if name is not None and (name != name.strip() or any(c.isspace() for c in name)):
        problems.add(("provider",), f"{name!r} is not a name (no spaces)")
        return None
    return name


def _web_factory(
    name: str,
    description: str,
    sections: dict[str, Any],
    actors: int | None,
    duration: float | None,
) -> DeclaredFactory:
    def build_web(config: str | Path | None = None, **options: Any) -> Any:
        no_config(name, options)
        settings = web.web_config_of(sections, config)
        return web.DeclaredWeb(settings, name, description, actors, duration)

    return DeclaredFactory(name, description, build_web)
