"""Kept for the path the README documents: the document run now lives in
`datagen.runs.documents`; import from there in new code."""

from __future__ import annotations

from datagen.runs.documents import DocumentJob, write_documents

__all__ = ["DocumentJob", "write_documents"]
