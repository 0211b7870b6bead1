"""`list` and `show`: what can be generated, and an example of each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import orjson

from datagen.documents import DOCUMENT_PROVIDERS, create_provider
from datagen.encoders import flatten
from datagen.engine.model import SIMULATIONS
from datagen.engine.simulation import Simulation, list_simulations, model_defaults
from datagen.errors import ConfigError, DatagenError, UnknownName
from datagen.journeys import JOURNEY_PROVIDERS, create_journey_provider
from datagen.registry import Registry


@click.command(name="list")
def list_providers() -> None:
    """List document and journey providers and simulations, with a description
    and origin; a module or plugin that failed to load shows as BROKEN.

    Example:

        python generate.py list
    """
    documents = DOCUMENT_PROVIDERS
    journeys = JOURNEY_PROVIDERS
    _echo_section(
        "document providers",
        [(n, documents.get(n).description, documents.origin(n)) for n in documents],
        documents,
    )
    _echo_section(
        "journey providers",
        [(n, journeys.get(n).description, journeys.origin(n)) for n in journeys],
        journeys,
    )
    _echo_section("simulations", list_simulations(), SIMULATIONS, _defaults)


def _defaults(name: str) -> str:
    """A simulation's defaults line (nothing when its model cannot be built:
    a broken --config in the folder is the run's error, not the list's)."""
    try:
        return f"defaults: {model_defaults(name)}"
    except DatagenError:
        return ""


def _echo_section(
    title: str,
    rows: list[tuple[str, str, str]],
    registry: Registry[Any],
    more: Callable[[str], str] | None = None,
) -> None:
    """`  name  description  [origin]` per item (and under it `more(name)`,
    when given and not empty), then `  name  BROKEN: error [origin]` per
    module or plugin that failed to load, names aligned."""
    rows = rows + [
        (name, f"BROKEN: {failure.error}", failure.origin)
        for name, failure in registry.failures.items()
    ]
    click.echo(f"{title}:")
    width = max((len(name) for name, _, _ in rows), default=0)
    broken = set(registry.failures)
    for name, description, origin in rows:
        click.echo(f"  {name:<{width}}  {description}  [{origin}]")
        extra = more(name) if more is not None and name not in broken else ""
        if extra:
            click.echo(f"  {'':<{width}}    {extra}")


def _field_lines(document: dict[str, Any]) -> list[str]:
    return [
        f"  {key}: {type(value).__name__}" for key, value in flatten(document).items()
    ]


def _first_event(name: str, seed: int) -> dict[str, Any]:
    """The first event of simulation `name` run with its defaults and seed."""
    simulation = Simulation(name, seed=seed)
    batches = simulation.batches(simulation.window(), count=1)
    try:
        for batch in batches:
            return batch.events()[0]
    finally:
        batches.close()
    raise ConfigError(f"simulation '{name}' made no event to show")


@click.command()
@click.argument("name")
@click.option("--seed", type=int, default=0, show_default=True)
def show(name: str, seed: int) -> None:
    """Show one example document, journey or simulation event, and its fields.

    Example:

    \b
        python generate.py show starfleet_account
        python generate.py show web
    """
    if name in DOCUMENT_PROVIDERS:
        example = create_provider(name, seed=seed).generate()
        title, fields = "fields:", _field_lines(example)
    elif name in JOURNEY_PROVIDERS:
        journey = create_journey_provider(name, seed=seed)
        example = {
            **journey.generate(),
            "documents": [step.document for step in journey.steps],
        }
        title = "steps:"
        fields = [
            f"  step {s.index}: {s.document_type} (+{s.offset_seconds}s)"
            for s in journey.steps
        ]
    elif name in SIMULATIONS:
        example = _first_event(name, seed)
        title, fields = "fields:", _field_lines(example)
    else:
        raise UnknownName(
            "provider or simulation",
            name,
            sorted({*DOCUMENT_PROVIDERS, *JOURNEY_PROVIDERS, *SIMULATIONS}),
        )
    click.echo(orjson.dumps(example, option=orjson.OPT_INDENT_2).decode())
    click.echo(title)
    click.echo("\n".join(fields))
