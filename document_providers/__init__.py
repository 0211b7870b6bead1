"""The built-in document providers; adding one is adding a module to this folder.

The registry imports each module here on its first lookup (one broken module is
reported, not fatal), so importing this package loads nothing by itself.
"""

from __future__ import annotations

from datagen.documents import DOCUMENT_PROVIDERS

#: name -> provider class, the original tool's mapping (live, plugins included).
document_type_mapping = DOCUMENT_PROVIDERS
