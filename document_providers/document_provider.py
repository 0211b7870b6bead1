"""`from document_providers.document_provider import DocumentProvider`, the
original tool's import, still works: it is datagen's DocumentProvider."""

from __future__ import annotations

from datagen.documents import DocumentProvider

__all__ = ["DocumentProvider"]
