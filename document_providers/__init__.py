"""The built-in document providers; adding one is adding a module to this folder."""

from __future__ import annotations

import importlib
import pkgutil

from datagen.documents import DOCUMENT_PROVIDERS

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

#: name -> provider class, the original tool's mapping (live, plugins included).
document_type_mapping = DOCUMENT_PROVIDERS
