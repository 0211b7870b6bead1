"""The built-in journey providers; adding one is adding a module to this folder."""

from __future__ import annotations

import importlib
import pkgutil

import document_providers  # noqa: F401 - journeys draw their documents from these
from datagen.journeys import JOURNEY_PROVIDERS

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

#: name -> journey class, the original tool's mapping (live, plugins included).
journey_provider_mapping = JOURNEY_PROVIDERS
