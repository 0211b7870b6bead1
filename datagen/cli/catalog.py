"""`list` and `show`: what can be generated, and an example of each."""

from __future__ import annotations

from typing import Any

import click
import orjson

from datagen.documents import DOCUMENT_PROVIDERS, create_provider
from datagen.encoders import flatten
from datagen.engine.simulation import list_simulations
from datagen.errors import UnknownName
from datagen.journeys import JOURNEY_PROVIDERS, create_journey_provider


@click.command(name="list")
def list_providers() -> None:
    """List document and journey providers and simulations, with a description
    and origin.

    Example:

        python generate.py list
    """
    for title, registry in (
        ("document providers", DOCUMENT_PROVIDERS),
        ("journey providers", JOURNEY_PROVIDERS),
    ):
        click.echo(f"{title}:")
        width = max(map(len, registry), default=0)
        for name in registry:
            description = registry.get(name).description
            click.echo(f"  {name:<{width}}  {description}  [{registry.origin(name)}]")
    simulations = list_simulations()
    click.echo("simulations:")
    width = max((len(name) for name, _, _ in simulations), default=0)
    for name, description, origin in simulations:
        click.echo(f"  {name:<{width}}  {description}  [{origin}]")


def _field_lines(document: dict[str, Any]) -> list[str]:
    return [
        f"  {key}: {type(value).__name__}" for key, value in flatten(document).items()
    ]


@click.command()
@click.argument("name")
@click.option("--seed", type=int, default=0, show_default=True)
def show(name: str, seed: int) -> None:
    """Show one example document (or journey) and its fields.

    Example:

        python generate.py show starfleet_account
    """
    if name in DOCUMENT_PROVIDERS:
        example = create_provider(name, seed=seed).generate()
        fields = _field_lines(example)
    elif name in JOURNEY_PROVIDERS:
        journey = create_journey_provider(name, seed=seed)
        example = {
            **journey.generate(),
            "documents": [step.document for step in journey.steps],
        }
        fields = [
            f"  step {s.index}: {s.document_type} (+{s.offset_seconds}s)"
            for s in journey.steps
        ]
    else:
        raise UnknownName("provider", name, [*DOCUMENT_PROVIDERS, *JOURNEY_PROVIDERS])
    click.echo(orjson.dumps(example, option=orjson.OPT_INDENT_2).decode())
    click.echo("fields:" if name in DOCUMENT_PROVIDERS else "steps:")
    click.echo("\n".join(fields))


COMMANDS = [list_providers, show]
