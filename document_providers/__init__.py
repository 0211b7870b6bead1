"""The built-in document providers; adding one is adding a module to this folder.

The registry imports each module here on its first lookup (one broken module is
reported, not fatal), so importing this package loads nothing by itself.

The original tool's way works too: a module here with
`from document_providers.document_provider import DocumentProvider`, then
`document_type_mapping[MyProvider.name] = MyProvider` in this file.
"""

from __future__ import annotations

from datagen.documents import DOCUMENT_PROVIDERS

#: name -> provider class, the original tool's mapping (live, plugins included);
#: assigning a DocumentProvider subclass registers it.
document_type_mapping = DOCUMENT_PROVIDERS
#: The name the original tool's code used for it.
document_provider_mapping = DOCUMENT_PROVIDERS
