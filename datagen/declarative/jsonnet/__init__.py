"""Jsonnet templates in the Eventer tool's format as document providers:
the Go engine (gojsonnet) with Eventer's native functions, evaluated in
batches by a child process that is replaced before its memory grows."""

from datagen.declarative.jsonnet.template import check_template, jsonnet_document

__all__ = ["check_template", "jsonnet_document"]
