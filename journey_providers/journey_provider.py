"""`from journey_providers.journey_provider import JourneyProvider`, the
original tool's import, still works: it is datagen's JourneyProvider."""

from __future__ import annotations

from datagen.journeys import JourneyProvider

__all__ = ["JourneyProvider"]
