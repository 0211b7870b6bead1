"""Jsonnet templates in the Eventer tool's format as document providers:
the Go engine (gojsonnet) with Eventer's native functions, evaluated in
batches by a child process that is replaced before its memory grows.
A template comes from a file or as text (text.py: no imports at all)."""

from datagen.declarative.jsonnet.canonical import canonical_digest
from datagen.declarative.jsonnet.template import check_template, jsonnet_document
from datagen.declarative.jsonnet.text import check_template_text, template_document

__all__ = [
    "canonical_digest",
    "check_template",
    "check_template_text",
    "jsonnet_document",
    "template_document",
]
