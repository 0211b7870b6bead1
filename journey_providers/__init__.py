"""The built-in journey providers; adding one is adding a module to this folder.

The registry imports each module here on its first lookup (one broken module is
reported, not fatal), so importing this package loads nothing by itself.
"""

from __future__ import annotations

from datagen.journeys import JOURNEY_PROVIDERS

#: name -> journey class, the original tool's mapping (live, plugins included).
journey_provider_mapping = JOURNEY_PROVIDERS
