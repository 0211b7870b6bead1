"""The built-in journey providers; adding one is adding a module to this folder.

The registry imports each module here on its first lookup (one broken module is
reported, not fatal), so importing this package loads nothing by itself.

The original tool's way works too: a module here with
`from journey_providers.journey_provider import JourneyProvider`, then
`journey_provider_mapping[MyJourney.name] = MyJourney` in this file.
"""

from __future__ import annotations

from datagen.journeys import JOURNEY_PROVIDERS

#: name -> journey class, the original tool's mapping (live, plugins included);
#: assigning a JourneyProvider subclass registers it.
journey_provider_mapping = JOURNEY_PROVIDERS
