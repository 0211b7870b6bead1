"""A generator's run record, in the shape of `--manifest` (docs/faults.md),
so a pipeline's own counts can be checked against the service's status."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from datagen.declarative.distributions import Distributions, configured_distributions
from datagen.errors import DatagenError
from datagen.service.generator import Generator
from datagen.timefmt import isoformat


def generator_record(generator: Generator, version: str) -> dict[str, Any]:
    """The record of one generator: what it was asked (its event and
    destination), its seed, and what it sent, as a run manifest holds them.
    The service keeps no event times or keys: those are null."""
    event = generator.schedule.event
    stream = event.dataset or generator.source_label
    delivery = generator.delivery
    elapsed = datetime.now(timezone.utc) - generator.started_at
    distributions = (
        _provider_distributions(event.text) if event.form == "provider" else {}
    )
    return {
        "datagen": version,
        "command": "serve",
        "arguments": {
            "source": generator.source_label,
            "dataset": event.dataset,
            "count": event.count,
            "interval": event.interval,
            "destination": generator.schedule.destination.describe(),
        },
        "seed": generator.seed,
        "started": isoformat(generator.started_at),
        "elapsed_seconds": round(elapsed.total_seconds(), 3),
        "interrupted": False,
        "faults": {"spec": None, "manifest": None},
        "streams": {
            stream: {
                "count": generator.produced,
                "clean": generator.produced,
                "faulted": {},
                "first_event_time": None,
                "last_event_time": None,
                "distributions": distributions,
                "outputs": [delivery.sink],
            }
        },
        "sinks": [
            {
                "name": delivery.sink,
                "stream": stream,
                "sent": delivery.sent,
                "acknowledged": delivery.acknowledged,
                "failed": delivery.failed,
            }
        ],
    }


def _provider_distributions(name: str) -> Distributions:
    """A named provider's configured choices ({} when it has none or is gone)."""
    try:
        return configured_distributions("document", name)
    except DatagenError:
        return {}
